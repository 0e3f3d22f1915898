/**
 * Waiting for a machine action to become final, with backoff; every read goes through the client's
 * budget for actions, so many waiting resources share it fairly.
 */
import type { DefenderClient } from "../../client/defenderClient";
import { isFinalStatus, type MachineAction } from "../../client/wireTypes";
import { DefenderError } from "../../core/errors";
import { sleep } from "../../core/sleep";

/** First delay between status polls, before time scaling, in milliseconds. */
export const FIRST_POLL_DELAY_MS = 5_000;
/** Longest delay between status polls, before time scaling, in milliseconds. */
export const MAX_POLL_DELAY_MS = 60_000;
/** Growth of the poll delay after each poll. */
export const POLL_BACKOFF_FACTOR = 1.5;

/** Options of {@link waitForFinal}. */
export interface WaitOptions {
  /** How long to wait, in (unscaled) minutes. */
  timeoutInMinutes: number;
  /** Divides every delay (emulator exercises). @default 1 */
  timeScale?: number;
  /** Stops waiting. */
  signal?: AbortSignal;
}

/** Waits until the action is final or the timeout passes; `timedOut` tells which. */
export async function waitForFinal(
  client: DefenderClient,
  action: MachineAction,
  options: WaitOptions,
): Promise<{ action: MachineAction; timedOut: boolean }> {
  const scale = options.timeScale ?? 1;
  const deadline = Date.now() + (options.timeoutInMinutes * 60_000) / scale;
  let delay = FIRST_POLL_DELAY_MS / scale;
  let current = action;
  while (!isFinalStatus(current.status)) {
    const left = deadline - Date.now();
    if (left <= 0) return { action: current, timedOut: true };
    await sleep(Math.min(delay, left), options.signal);
    const fresh = await client.getMachineAction(current.id, options.signal ? { signal: options.signal } : {});
    if (!fresh) {
      throw new DefenderError(
        "MDE_NOT_FOUND",
        `Machine action ${current.id} disappeared while waiting for it to complete.`,
        { operation: "getAction" },
      );
    }
    current = fresh;
    delay = Math.min(delay * POLL_BACKOFF_FACTOR, MAX_POLL_DELAY_MS / scale);
  }
  return { action: current, timedOut: false };
}
