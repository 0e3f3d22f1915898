import test from "ava";
import { backoffDelayMs, decideRetry, type RetryFailure, retryAfterMs } from "../../src/retry/retryStrategy";

const NOW = Date.parse("2026-01-01T00:00:00Z");

test("retryAfterMs prefers the millisecond headers", (t) => {
  t.is(retryAfterMs({ "retry-after-ms": "1234", "Retry-After": "9" }, NOW), 1234);
  t.is(retryAfterMs({ "x-ms-retry-after-ms": "250.2" }, NOW), 251);
  t.is(retryAfterMs(new Headers({ "Retry-After": "7" }), NOW), 7000);
});

test("retryAfterMs reads seconds and HTTP dates; a past date is 0", (t) => {
  t.is(retryAfterMs({ "retry-after": "0" }, NOW), 0);
  t.is(retryAfterMs({ "retry-after": "30" }, NOW), 30_000);
  t.is(retryAfterMs({ "retry-after": new Date(NOW + 12_000).toUTCString() }, NOW), 12_000);
  t.is(retryAfterMs({ "retry-after": new Date(NOW - 60_000).toUTCString() }, NOW), 0);
  t.is(retryAfterMs({ "retry-after": "soon" }, NOW), undefined);
  t.is(retryAfterMs({}, NOW), undefined);
  t.is(retryAfterMs({ "retry-after-ms": "-1", "retry-after": "2" }, NOW), 2000);
});

test("backoff is exponential, clamped, jittered in the upper half, divided by time scale", (t) => {
  const lo = { random: () => 0 };
  const hi = { random: () => 0.999999 };
  t.is(backoffDelayMs(1, lo), 500);
  t.is(backoffDelayMs(1, hi), 1000);
  t.is(backoffDelayMs(3, lo), 2000);
  t.is(backoffDelayMs(10, lo), 16_000);
  t.is(backoffDelayMs(10, { ...hi, maxRetryDelayInMs: 5000 }), 5000);
  t.is(backoffDelayMs(1, { random: () => 0.5, timeScale: 10 }), 75);
});

const fail = (f: Partial<RetryFailure> & Pick<RetryFailure, "code">): RetryFailure => f;
const opts = { random: () => 0 };

test("GET retries 429 after exactly Retry-After", (t) => {
  t.deepEqual(
    decideRetry(
      {
        method: "GET",
        attempt: 1,
        failure: fail({ code: "MDE_THROTTLED", status: 429, retryAfterMs: 7000 }),
      },
      opts,
    ),
    { retry: true, delayMs: 7000, verifyFirst: false },
  );
});

test("GET retries 5xx, timeouts, resets with backoff", (t) => {
  for (const failure of [
    fail({ code: "MDE_SERVER_ERROR", status: 500 }),
    fail({ code: "MDE_SERVER_ERROR", status: 503 }),
    fail({ code: "MDE_HTTP_TIMEOUT", delivery: "doubtful" }),
    fail({ code: "MDE_CONNECTION_RESET", delivery: "doubtful" }),
    fail({ code: "MDE_CONNECTION_REFUSED", delivery: "notDelivered" }),
  ]) {
    t.deepEqual(decideRetry({ method: "GET", attempt: 2, failure }, opts), {
      retry: true,
      delayMs: 1000,
      verifyFirst: false,
    });
  }
});

test("4xx other than 429, DNS and TLS failures are not retried", (t) => {
  for (const failure of [
    fail({ code: "MDE_BAD_REQUEST", status: 400 }),
    fail({ code: "MDE_UNAUTHORIZED", status: 401 }),
    fail({ code: "MDE_FORBIDDEN", status: 403 }),
    fail({ code: "MDE_NOT_FOUND", status: 404 }),
    fail({ code: "MDE_DNS_FAILURE", delivery: "notDelivered" }),
    fail({ code: "MDE_TLS_FAILURE", delivery: "notDelivered" }),
    fail({ code: "MDE_ABORTED" }),
  ]) {
    t.false(decideRetry({ method: "GET", attempt: 1, failure }).retry);
    t.false(decideRetry({ method: "POST", attempt: 1, failure }).retry);
  }
});

test("attempts are bounded", (t) => {
  const failure = fail({ code: "MDE_SERVER_ERROR", status: 500 });
  t.true(decideRetry({ method: "GET", attempt: 5, failure }).retry);
  t.false(decideRetry({ method: "GET", attempt: 6, failure }).retry);
  t.false(decideRetry({ method: "GET", attempt: 2, failure }, { maxRetries: 1 }).retry);
});

test("a Retry-After longer than allowed stops retrying", (t) => {
  const failure = fail({ code: "MDE_THROTTLED", status: 429, retryAfterMs: 3_600_000 });
  t.false(decideRetry({ method: "GET", attempt: 1, failure }).retry);
  t.true(decideRetry({ method: "GET", attempt: 1, failure }, { maxRetryAfterInMs: 4_000_000 }).retry);
});

test("POST: certain refusals are retried plainly", (t) => {
  t.deepEqual(
    decideRetry({
      method: "POST",
      attempt: 1,
      failure: fail({ code: "MDE_THROTTLED", status: 429, retryAfterMs: 2500 }),
    }),
    { retry: true, delayMs: 2500, verifyFirst: false },
  );
  t.deepEqual(
    decideRetry(
      { method: "POST", attempt: 1, failure: fail({ code: "MDE_SERVER_ERROR", status: 503 }) },
      opts,
    ),
    {
      retry: true,
      delayMs: 500,
      verifyFirst: false,
    },
  );
  t.deepEqual(
    decideRetry(
      {
        method: "POST",
        attempt: 1,
        failure: fail({ code: "MDE_CONNECTION_REFUSED", delivery: "notDelivered" }),
      },
      opts,
    ),
    { retry: true, delayMs: 500, verifyFirst: false },
  );
  t.deepEqual(
    decideRetry(
      { method: "POST", attempt: 1, failure: fail({ code: "MDE_HTTP_TIMEOUT", delivery: "notDelivered" }) },
      opts,
    ),
    { retry: true, delayMs: 500, verifyFirst: false },
  );
});

test("POST: doubtful outcomes ask to verify first", (t) => {
  for (const failure of [
    fail({ code: "MDE_HTTP_TIMEOUT", delivery: "doubtful" }),
    fail({ code: "MDE_CONNECTION_RESET", delivery: "doubtful" }),
    fail({ code: "MDE_SERVER_ERROR", status: 500, delivery: "answered" }),
    fail({ code: "MDE_SERVER_ERROR", status: 504, delivery: "answered" }),
  ]) {
    t.deepEqual(decideRetry({ method: "POST", attempt: 1, failure }, opts), {
      retry: true,
      delayMs: 500,
      verifyFirst: true,
    });
  }
});
