/**
 * Killing a running `pulumi up` the way a crash, an OOM kill or a cancelled CI job does (SIGKILL of
 * the CLI, nothing else), and what a user then runs: `pulumi cancel` when the dead run still holds
 * the stack's lock, then a plain `up`. Used by the interruption tests and the chaos runner.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { UpResult } from "@pulumi/pulumi/automation";
import type { TestStack } from "pulumi-mde-harness";
import { errorText, killAll, pulumiProcess, waitForExit } from "./faults";

/** What a killed (or not killed) `up` came to. */
export interface KilledUp {
  /** Whether the CLI was killed: false when the `up` ended before the condition held. */
  killed: boolean;
  /** Real epoch milliseconds of the SIGKILL (0 when not killed). */
  killedAtMs: number;
  /** The CLI and everything below it when it was killed, e.g. the dynamic provider. */
  pids: number[];
  /** Whether a dynamic provider ran under the CLI when it was killed. */
  providerSeen: boolean;
  /** Whether every process of the tree ended within the wait (nothing kills them but their own watch). */
  providerExited: boolean;
  /** The `up`'s error text; "" when it succeeded. */
  failure: string;
}

/** Options of {@link upKilledWhen}. */
export interface KillOptions {
  /** Real milliseconds to let pass after `condition` holds, before the kill. @default 0 */
  settleMs?: number;
  /** Longest wait for `condition`, in real milliseconds. @default 60000 */
  timeoutMs?: number;
  /** Longest wait for the killed tree to end by itself, in real milliseconds. @default 20000 */
  exitTimeoutMs?: number;
}

/**
 * Runs `up` and SIGKILLs the `pulumi` CLI once `condition` holds (and `settleMs` more passed). When the
 * `up` ends first, nothing is killed. Processes left alive after `exitTimeoutMs` are killed (by pid)
 * so no test leaves them behind; `providerExited` reports whether that was needed.
 */
export async function upKilledWhen(
  s: TestStack,
  condition: () => boolean,
  options: KillOptions = {},
): Promise<KilledUp> {
  const { settleMs = 0, timeoutMs = 60_000, exitTimeoutMs = 20_000 } = options;
  let ended = false;
  const running = s.up().then(
    (_: UpResult) => "",
    (e: unknown) => errorText(e),
  );
  void running.then(() => {
    ended = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!ended && !condition()) {
    if (Date.now() > deadline) break;
    await sleep(20);
  }
  if (!ended && settleMs > 0) await sleep(settleMs);
  const found = ended ? undefined : pulumiProcess(s, "up");
  if (!found) {
    return {
      killed: false,
      killedAtMs: 0,
      pids: [],
      providerSeen: false,
      providerExited: true,
      failure: await running,
    };
  }
  const pids = [found.cli.pid, ...found.tree.map((p) => p.pid)];
  const providerSeen = found.tree.some((p) => p.cmdline.includes("dynamic-provider"));
  process.kill(found.cli.pid, "SIGKILL");
  const killedAtMs = Date.now();
  const failure = await running;
  const providerExited = await waitForExit(pids, exitTimeoutMs);
  if (!providerExited) killAll(pids);
  return { killed: true, killedAtMs, pids, providerSeen, providerExited, failure };
}

/** Whether an operation failed because an earlier, dead run still holds the stack's lock. */
export function isLocked(failure: string): boolean {
  return /the stack is currently locked/.test(failure);
}
