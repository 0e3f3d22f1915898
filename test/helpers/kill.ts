/**
 * Killing a running `pulumi up` the way a crash, an OOM kill or a cancelled CI job does (SIGKILL of
 * the CLI, nothing else), and what a user then runs: `pulumi cancel` when the dead run still holds
 * the stack's lock, then a plain `up`. Used by the interruption tests and the chaos runner.
 */
import { readlinkSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { UpResult } from "@pulumi/pulumi/automation";
import { ENGINE_BIN, type TestStack } from "pulumi-mde-harness";
import {
  errorText,
  killAll,
  listProcesses,
  type ProcessInfo,
  processTree,
  pulumiProcess,
  waitForExit,
} from "./faults";

/** What a killed (or not killed) `up` came to. */
export interface KilledUp {
  /** Whether the CLI was killed: false when the `up` ended before the condition held. */
  killed: boolean;
  /** Real epoch milliseconds of the SIGKILL (0 when not killed). */
  killedAtMs: number;
  /** The CLI and everything below it when it was killed. */
  pids: number[];
  /** Whether a dynamic provider ran under the CLI when it was killed. */
  providerSeen: boolean;
  /** Whether the dynamic provider ended within the wait (nothing kills it but its own watch on the engine). */
  providerExited: boolean;
  /** The `up`'s error text; "" when it succeeded. */
  failure: string;
}

/** Options of {@link killedWhen}. */
export interface KillOptions {
  /** Real milliseconds to let pass after `condition` holds, before the kill. @default 0 */
  settleMs?: number;
  /** Longest wait for `condition`, in real milliseconds. @default 60000 */
  timeoutMs?: number;
  /** Longest wait for the dynamic provider to end by itself, in real milliseconds. @default 20000 */
  exitTimeoutMs?: number;
}

/** A running CLI and every process below it. */
export interface CliTree {
  cli: ProcessInfo;
  tree: ProcessInfo[];
}

const isProvider = (p: ProcessInfo) => p.cmdline.includes("dynamic-provider");

/**
 * Starts an operation with `start` (resolving with its error text, "" on success) and SIGKILLs the CLI
 * `find` returns once `condition` holds (and `settleMs` more passed). When the operation ends first,
 * nothing is killed. The dynamic provider must end by itself; other processes of the tree still alive
 * afterwards (a language host, a program) are killed by pid, so no test leaves them behind.
 */
export async function killedWhen(
  start: () => Promise<string>,
  find: () => CliTree | undefined,
  condition: () => boolean,
  options: KillOptions = {},
): Promise<KilledUp> {
  const { settleMs = 0, timeoutMs = 60_000, exitTimeoutMs = 20_000 } = options;
  let ended = false;
  const running = start();
  void running.then(() => {
    ended = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!ended && !condition()) {
    if (Date.now() > deadline) break;
    await sleep(20);
  }
  if (!ended && settleMs > 0) await sleep(settleMs);
  const found = ended ? undefined : find();
  if (!found) {
    const failure = await running;
    return { killed: false, killedAtMs: 0, pids: [], providerSeen: false, providerExited: true, failure };
  }
  const pids = [found.cli.pid, ...found.tree.map((p) => p.pid)];
  const providerPids = found.tree.filter(isProvider).map((p) => p.pid);
  process.kill(found.cli.pid, "SIGKILL");
  const killedAtMs = Date.now();
  const failure = await running;
  const providerExited = await waitForExit(providerPids, exitTimeoutMs);
  if (!(await waitForExit(pids, 5_000))) killAll(pids);
  return { killed: true, killedAtMs, pids, providerSeen: providerPids.length > 0, providerExited, failure };
}

/** Runs the test stack's `up` (Automation API) and SIGKILLs its CLI once `condition` holds. */
export function upKilledWhen(
  s: TestStack,
  condition: () => boolean,
  options: KillOptions = {},
): Promise<KilledUp> {
  return killedWhen(
    () =>
      s.up().then(
        (_: UpResult) => "",
        (e: unknown) => errorText(e),
      ),
    () => pulumiProcess(s, "up"),
    condition,
    options,
  );
}

/** The `pulumi <command>` process this process started in `cwd`, with everything below it. */
export function cliProcess(cwd: string, command: string): CliTree | undefined {
  const all = listProcesses();
  const cli = all.find(
    (p) =>
      p.ppid === process.pid &&
      p.cmdline.startsWith(path.join(ENGINE_BIN, "pulumi")) &&
      p.cmdline.includes(` ${command} `) &&
      cwdOf(p.pid) === cwd,
  );
  return cli ? { cli, tree: processTree(cli.pid, all) } : undefined;
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Whether an operation failed because an earlier, dead run still holds the stack's lock. */
export function isLocked(failure: string): boolean {
  return /the stack is currently locked/.test(failure);
}
