/**
 * The one retry loop of the provider: every call that may be repeated (API reads and writes, token
 * requests) goes through it. The decision of whether and when to retry is the pure `decideRetry`; this
 * loop only sleeps (abort-aware), logs and lets its caller look at each failure.
 */
import { DefenderError } from "../core/errors";
import { sleep } from "../core/sleep";
import { decideRetry, type RetryOptions } from "./retryStrategy";

/** Thrown by an attempt to end the loop at once with `reason`, without a retry decision. */
export class StopRetrying extends Error {
  constructor(readonly reason: unknown) {
    super("stop retrying");
    this.name = "StopRetrying";
  }
}

/** What {@link RetryLoopOptions.inspect} may answer about a failure. */
export type Inspection<T> =
  /** Retry at once without counting an attempt (e.g. after renewing a refused token). */
  | "again"
  /** End the loop with this result. */
  | { value: T }
  /** Let the retry decision run. */
  | undefined;

/** Options of {@link withRetries}. */
export interface RetryLoopOptions<T> {
  /** What is retried, for log lines (e.g. `getAction`). */
  label: string;
  /** `GET` for requests that may be repeated, `POST` for one that must not be repeated blindly. */
  method: "GET" | "POST";
  /** Tuning of the decision, read again before each decision. @default the defaults of `decideRetry` */
  retry?: RetryOptions;
  /** Clock for the decision (a deadline), epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Aborts waiting between attempts. */
  signal?: AbortSignal;
  /** Receives one line per retry. @default no logging */
  log?: (line: string) => void;
  /**
   * Turns what an attempt threw into a {@link DefenderError}; `undefined` rethrows it as it is.
   * @default DefenderErrors as they are, anything else rethrown
   */
  toError?: (thrown: unknown) => DefenderError | undefined;
  /** Looks at each failure before the decision; may also throw to end the loop with an error. */
  inspect?: (error: DefenderError, attempt: number) => Promise<Inspection<T>> | Inspection<T>;
  /** Waits before the next attempt. @default an abort-aware sleep */
  wait?: (delayMs: number, error: DefenderError) => Promise<void> | void;
  /** After a failure that may have had an effect (`verifyFirst`), looks the outcome up: a result ends the loop. */
  verify?: (error: DefenderError) => Promise<T | undefined>;
  /** When no retry is left: turns the last failure into a result, or throws. @default rethrows it */
  giveUp?: (error: DefenderError) => Promise<T>;
}

/**
 * Runs `attempt` until it succeeds or the decision says stop. A {@link StopRetrying} thrown by the attempt
 * or by a hook ends the loop with its reason.
 * @param attempt - One try; receives the attempt number (1 for the first).
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryLoopOptions<T>,
): Promise<T> {
  try {
    return await retryLoop(attempt, options);
  } catch (error) {
    throw error instanceof StopRetrying ? error.reason : error;
  }
}

async function retryLoop<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryLoopOptions<T>,
): Promise<T> {
  const toError = options.toError ?? ((e: unknown) => (e instanceof DefenderError ? e : undefined));
  for (let n = 1; ; n++) {
    let error: DefenderError;
    try {
      return await attempt(n);
    } catch (thrown) {
      if (thrown instanceof StopRetrying) throw thrown;
      const converted = toError(thrown);
      if (!converted) throw thrown;
      error = converted;
    }
    if (error.code === "MDE_ABORTED") throw error;
    const inspected = await options.inspect?.(error, n);
    if (inspected === "again") {
      n--;
      continue;
    }
    if (inspected !== undefined) return inspected.value;
    const nowMs = (options.now ?? Date.now)();
    const decision = decideRetry(
      { method: options.method, attempt: n, failure: error, nowMs },
      options.retry,
    );
    if (!decision.retry) {
      if (options.giveUp) return options.giveUp(error);
      throw error;
    }
    options.log?.(
      `${options.label}: ${error.code}${error.status ? ` ${error.status}` : ""}; ` +
        `${decision.verifyFirst ? "verifying" : "retrying"} in ${decision.delayMs} ms`,
    );
    if (options.wait) await options.wait(decision.delayMs, error);
    else await sleep(decision.delayMs, options.signal);
    if (decision.verifyFirst && options.verify) {
      const found = await options.verify(error);
      if (found !== undefined) return found;
    }
  }
}
