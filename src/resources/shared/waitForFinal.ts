/**
 * Waiting for a machine action to become final. Every waiting resource of the process polls on the same
 * clock grid through the client's status reader, so all polls of one instant become one list query.
 */
import type { ReadHint, StatusReader } from "../../client/statusReader";
import { isFinalStatus, type MachineAction } from "../../client/wireTypes";
import { DefenderError } from "../../core/errors";
import { sleep } from "../../core/sleep";

/**
 * Poll intervals by how long a resource has waited, in (unscaled) milliseconds: frequent at first, when a
 * collection may end soon, then sparser. Each is a multiple of the first, so resources at different
 * stages still poll at shared instants.
 */
export const POLL_SCHEDULE: ReadonlyArray<{ afterWaitingMs: number; everyMs: number }> = [
  { afterWaitingMs: 0, everyMs: 10_000 },
  { afterWaitingMs: 60_000, everyMs: 20_000 },
  { afterWaitingMs: 5 * 60_000, everyMs: 60_000 },
];

/** Options of {@link waitForFinal}. */
export interface WaitOptions {
  /** How long to wait, in (unscaled) minutes. */
  timeoutInMinutes: number;
  /** Divides every delay (emulator exercises). @default 1 */
  timeScale?: number;
  /** Stops waiting. */
  signal?: AbortSignal;
}

/** The next grid instant after `nowMs` for a resource that has waited `waitedMs`. */
export function nextPollAt(nowMs: number, waitedMs: number, timeScale = 1): number {
  let every = POLL_SCHEDULE[0]?.everyMs ?? 10_000;
  for (const step of POLL_SCHEDULE) if (waitedMs * timeScale >= step.afterWaitingMs) every = step.everyMs;
  const scaled = every / timeScale;
  return (Math.floor(nowMs / scaled) + 1) * scaled;
}

/** Waits until the action is final or the timeout passes; `timedOut` tells which. */
export async function waitForFinal(
  reader: StatusReader,
  action: MachineAction,
  options: WaitOptions,
): Promise<{ action: MachineAction; timedOut: boolean }> {
  const scale = options.timeScale ?? 1;
  const started = Date.now();
  const deadline = started + (options.timeoutInMinutes * 60_000) / scale;
  const hint: ReadHint = { createdAt: action.creationDateTimeUtc, type: action.type };
  let current = action;
  while (!isFinalStatus(current.status)) {
    const now = Date.now();
    if (now >= deadline) return { action: current, timedOut: true };
    const at = Math.min(nextPollAt(now, now - started, scale), deadline);
    await sleep(at - now, options.signal);
    // An answer from this instant's query serves every resource polling now.
    const fresh = await reader.read(current.id, hint, (at - now) / 2);
    if (!fresh) {
      throw new DefenderError(
        "MDE_NOT_FOUND",
        `Machine action ${current.id} disappeared while waiting for it to complete.`,
        { operation: "getAction" },
      );
    }
    current = fresh;
  }
  return { action: current, timedOut: false };
}
