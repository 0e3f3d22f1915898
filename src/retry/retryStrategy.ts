/**
 * Retry decisions as pure functions: no sleeping, no I/O, no clock reads. The loops that act on them live
 * in the Defender client.
 *
 * Idempotent reads are retried on throttling, server errors and transient network failures. The collect
 * POST is not idempotent: it is repeated only when the server certainly did not act on it; after a
 * doubtful outcome the caller must look the action up before posting again.
 */
import type { DefenderErrorCode, DeliveryCertainty } from "../core/errors";

/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 5;
/** Default base delay of the exponential backoff, in milliseconds. */
export const DEFAULT_RETRY_DELAY_MS = 1000;
/** Default ceiling of one backoff delay, in milliseconds. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 32_000;
/** Default ceiling of a server-requested `Retry-After` delay we accept, in milliseconds. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000;

/** A header bag as undici, fetch or a plain object present it. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined | null>;

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined | null>;
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === name && value !== undefined && value !== null) {
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

/**
 * How long the server asked to wait, in milliseconds, or undefined when it did not say.
 * Reads `retry-after-ms`, then `x-ms-retry-after-ms` (exact milliseconds), then `Retry-After` as
 * seconds or as an HTTP date (a date in the past means 0).
 *
 * @param nowMs - The current time in epoch milliseconds, to interpret an HTTP date.
 */
export function retryAfterMs(headers: HeadersLike, nowMs: number): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const raw = header(headers, name)?.trim();
    if (raw && /^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw));
  }
  const raw = header(headers, "retry-after")?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) * 1000);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * Attempts allowed while the server keeps answering 429. A 429 is a certain refusal and says when to
 * come back, so it is not counted against {@link DEFAULT_MAX_RETRIES}: a quota shared with other
 * callers can stay exhausted for minutes, and giving up would fail a collection the API would accept.
 */
export const DEFAULT_MAX_THROTTLED_RETRIES = 120;

/**
 * How long a post refused with 429 keeps waiting for the quota after its first refusal, in (unscaled)
 * milliseconds, unless its caller gives a deadline: 70 minutes, the longest the API's sliding hour can
 * hold a call back (60 minutes) plus time to win a slot against the other callers when it opens.
 */
export const DEFAULT_THROTTLED_WAIT_MS = 70 * 60_000;

/** Tuning of {@link decideRetry}. */
export interface RetryOptions {
  /**
   * Retries allowed after the first attempt.
   * @default DEFAULT_MAX_RETRIES (5)
   */
  maxRetries?: number;
  /**
   * Attempts allowed while the server answers 429 with a `Retry-After` it is honoured for.
   * @default DEFAULT_MAX_THROTTLED_RETRIES (120)
   */
  maxThrottledRetries?: number;
  /**
   * Base delay of the exponential backoff, in milliseconds.
   * @default DEFAULT_RETRY_DELAY_MS (1000)
   */
  retryDelayInMs?: number;
  /**
   * Ceiling of one backoff delay, in milliseconds.
   * @default DEFAULT_MAX_RETRY_DELAY_MS (32000)
   */
  maxRetryDelayInMs?: number;
  /**
   * Longest `Retry-After` honoured; a longer request ends retrying, in (unscaled) milliseconds.
   * @default DEFAULT_MAX_RETRY_AFTER_MS (600000)
   */
  maxRetryAfterInMs?: number;
  /**
   * Epoch milliseconds until which a 429 is waited out however long its `Retry-After` (instead of
   * {@link maxRetryAfterInMs} and {@link maxThrottledRetries}): a 429 is a certain refusal, so waiting it out
   * is safe even for a POST. A 429 whose wait would end after this time ends retrying.
   * @default undefined (the cap and count above apply)
   */
  throttledDeadlineMs?: number;
  /**
   * Divides backoff delays (not server-requested ones, which are already real time).
   * @default 1
   */
  timeScale?: number;
  /**
   * Source of randomness for jitter, returning [0, 1). Inject for deterministic tests.
   * @default Math.random
   */
  random?: () => number;
}

/** What a failed attempt looked like; a `DefenderError` fits. */
export interface RetryFailure {
  /** Error code. */
  code: DefenderErrorCode;
  /** HTTP status, when the server answered. */
  status?: number;
  /** Whether the request may have reached the server. */
  delivery?: DeliveryCertainty;
  /** Server-requested delay, in milliseconds. */
  retryAfterMs?: number;
}

/** Input of {@link decideRetry}. */
export interface RetryInput {
  /** HTTP method: GET is idempotent; POST is treated as not idempotent. */
  method: "GET" | "POST";
  /** Attempts already made, including the one that failed (1 after the first failure). */
  attempt: number;
  /** How the attempt failed. */
  failure: RetryFailure;
  /** Epoch milliseconds now; needed only with {@link RetryOptions.throttledDeadlineMs}. */
  nowMs?: number;
}

/**
 * The decision. `verifyFirst` (POST only) means the request may have taken effect: look the result up
 * after `delayMs` and post again only if nothing was created.
 */
export type RetryDecision =
  | { retry: true; delayMs: number; verifyFirst: boolean }
  | { retry: false; reason: string };

const TRANSIENT_NETWORK_CODES: ReadonlySet<DefenderErrorCode> = new Set<DefenderErrorCode>([
  "MDE_HTTP_TIMEOUT",
  "MDE_CONNECTION_RESET",
  "MDE_CONNECTION_REFUSED",
  "MDE_NETWORK_ERROR",
]);

/**
 * Exponential backoff with jitter: the clamped delay `min(max, base·2^(attempt-1))` is split in half and
 * the second half randomised, so concurrent clients spread out but never wait less than half.
 */
export function backoffDelayMs(attempt: number, options: RetryOptions = {}): number {
  const base = options.retryDelayInMs ?? DEFAULT_RETRY_DELAY_MS;
  const max = options.maxRetryDelayInMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  const random = options.random ?? Math.random;
  const scale = options.timeScale ?? 1;
  const clamped = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const half = clamped / 2;
  return Math.round((half + random() * half) / scale);
}

function waitFor(failure: RetryFailure, attempt: number, options: RetryOptions): number | undefined {
  if (failure.retryAfterMs !== undefined) {
    // The cap is in the API's time: a time-scaled emulator's Retry-After stands for `timeScale` times longer.
    const asked = failure.retryAfterMs * (options.timeScale ?? 1);
    if (asked > (options.maxRetryAfterInMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) return undefined;
    return failure.retryAfterMs;
  }
  return backoffDelayMs(attempt, options);
}

/**
 * Decides whether and when to retry a failed request.
 *
 * GET: retried on 408, 429, 5xx, timeouts, resets, refused connections and other network failures.
 * POST: retried plainly only on certain refusal (429, 503, not delivered); on a doubtful outcome
 * (timeout or reset after sending, other 5xx) it returns `verifyFirst: true`. Never retried: other 4xx,
 * DNS and TLS failures (configuration problems), aborts.
 */
export function decideRetry(input: RetryInput, options: RetryOptions = {}): RetryDecision {
  const { method, attempt, failure } = input;
  const status = failure.status;
  const throttled = status === 429;
  const deadline = options.throttledDeadlineMs;
  if (throttled && deadline !== undefined) {
    // Waited out up to the deadline, whatever the count and the length of each wait; a 429 is a refusal
    // before processing, so a POST needs no look-up first.
    const delayMs = failure.retryAfterMs ?? backoffDelayMs(attempt, options);
    if ((input.nowMs ?? 0) + delayMs > deadline)
      return { retry: false, reason: "the quota would still refuse it at the deadline" };
    return { retry: true, delayMs, verifyFirst: false };
  }
  const maxRetries = throttled
    ? (options.maxThrottledRetries ?? DEFAULT_MAX_THROTTLED_RETRIES)
    : (options.maxRetries ?? DEFAULT_MAX_RETRIES);
  if (attempt > maxRetries) return { retry: false, reason: `gave up after ${attempt} attempts` };

  const unavailable = status === 503;
  const serverError = status !== undefined && (status >= 500 || status === 408);
  const network = status === undefined && TRANSIENT_NETWORK_CODES.has(failure.code);
  if (!throttled && !serverError && !network) {
    return { retry: false, reason: `${failure.code}${status ? ` (${status})` : ""} is not retryable` };
  }

  const delayMs = waitFor(failure, attempt, options);
  if (delayMs === undefined) return { retry: false, reason: "the server asked to wait longer than allowed" };

  if (method === "GET") return { retry: true, delayMs, verifyFirst: false };

  // POST: a 429 or 503 is a refusal before processing; a connection that never carried the request cannot
  // have had an effect. Everything else may have created the action.
  const certainlyRefused = throttled || unavailable || failure.delivery === "notDelivered";
  return { retry: true, delayMs, verifyFirst: !certainlyRefused };
}
