/**
 * The machine a bench ran on, printed under the table: figures mean little without it.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { pulumiCommand } from "pulumi-mde-harness";

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
