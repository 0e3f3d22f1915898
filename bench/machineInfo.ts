/**
 * The machine a bench ran on, printed under the table: figures mean little without it.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ENGINE_BIN, pulumiCommand } from "pulumi-mde-harness";

/** Description of the bench machine and toolchain. */
export interface MachineInfo {
  /** CPUs available to this process. */
  readonly cpus: number;
  readonly memoryGiB: number;
  /** From /proc/cpuinfo's `model name`, or Node's report elsewhere. */
  readonly cpuModel: string;
  readonly nodeVersion: string;
  readonly pulumiVersion: string;
  readonly os: string;
}

function cpuModel(): string {
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
    if (model) return model.trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? "unknown";
}

/** Reads the machine description (the pulumi version from the pinned CLI the bench runs). */
export async function machineInfo(): Promise<MachineInfo> {
  const pulumi = await pulumiCommand();
  return {
    cpus: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    cpuModel: cpuModel(),
    nodeVersion: process.version,
    pulumiVersion: pulumi.version?.toString() ?? "unknown",
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The 1-, 5- and 15-minute load averages, formatted: other work on the machine shows here. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

/**
 * The engine's default `--parallel` for `refresh` (4 x CPUs in the CLIs we pin), read from its help so
 * the label says what really ran; NaN when the help does not say.
 */
export async function engineDefaultParallel(): Promise<number> {
  const { stdout } = await promisify(execFile)(path.join(ENGINE_BIN, "pulumi"), ["refresh", "--help"], {
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  const line = stdout.split("\n").find((l) => l.includes("--parallel"));
  return Number(/\(default (\d+)\)/.exec(line ?? "")?.[1] ?? Number.NaN);
}
