/**
 * Abort-aware waiting: every delay in the provider (backoff, polls) ends early when the operation is
 * aborted, so a provider stopping with its engine does not sit on timers.
 */
import { DefenderError } from "./errors";

/** The error of an aborted wait or operation. */
export function abortError(what = "The operation was aborted."): DefenderError {
  return new DefenderError("MDE_ABORTED", what);
}

/**
 * Resolves after `ms` milliseconds, or rejects with `MDE_ABORTED` as soon as `signal` aborts.
 * @param ms - Delay in milliseconds; 0 or less resolves at once.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`, or `MDE_ABORTED` as soon as `signal` aborts (the promise itself goes on). */
export function withAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what?: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(what));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
