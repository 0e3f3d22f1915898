import test from "ava";
import { decideRetry, type RetryFailure } from "../../src/retry/retryStrategy";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const throttled = (retryAfterMs: number): RetryFailure => ({
  code: "MDE_THROTTLED",
  status: 429,
  retryAfterMs,
});

test("without a deadline, a Retry-After above the cap still ends retrying", (t) => {
  t.false(decideRetry({ method: "POST", attempt: 1, failure: throttled(3_538_000) }).retry);
});

test("a POST refused with 429 is waited out up to the deadline, however long the Retry-After", (t) => {
  const options = { throttledDeadlineMs: NOW + 70 * 60_000 };
  t.deepEqual(
    decideRetry({ method: "POST", attempt: 1, failure: throttled(3_538_000), nowMs: NOW }, options),
    {
      retry: true,
      delayMs: 3_538_000,
      verifyFirst: false,
    },
  );
  t.true(
    decideRetry({ method: "POST", attempt: 500, failure: throttled(1000), nowMs: NOW }, options).retry,
    "the deadline, not a count, bounds the retries",
  );
});

test("a 429 whose wait would end after the deadline ends retrying", (t) => {
  const options = { throttledDeadlineMs: NOW + 60_000 };
  const decision = decideRetry(
    { method: "POST", attempt: 1, failure: throttled(60_001), nowMs: NOW },
    options,
  );
  t.deepEqual(decision, { retry: false, reason: "the quota would still refuse it at the deadline" });
  t.true(decideRetry({ method: "POST", attempt: 1, failure: throttled(60_000), nowMs: NOW }, options).retry);
});

test("the deadline changes nothing for other failures", (t) => {
  const options = { throttledDeadlineMs: NOW + 3_600_000, maxRetries: 1 };
  const failure: RetryFailure = { code: "MDE_SERVER_ERROR", status: 500 };
  t.false(decideRetry({ method: "POST", attempt: 2, failure, nowMs: NOW }, options).retry);
  const first = decideRetry({ method: "POST", attempt: 1, failure, nowMs: NOW }, options);
  t.true(first.retry && first.verifyFirst, "a doubtful POST is still looked up first");
});
