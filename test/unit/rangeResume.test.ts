import test from "ava";
import {
  isComplete,
  newProgress,
  parseContentRange,
  planResponse,
  resumeHeaders,
  type TransferProgress,
} from "../../src/resources/evidence/rangeResume";

const ETAG = '"0x8DC1234567890AB"';
const cutAt = (bytesWritten: number, over: Partial<TransferProgress> = {}): TransferProgress => ({
  bytesWritten,
  totalBytes: 1000,
  etag: ETAG,
  rangesAccepted: true,
  ...over,
});

test("a fresh transfer asks for the whole package", (t) => {
  t.deepEqual(resumeHeaders(newProgress()), {});
});

test("after a cut, the rest is asked for, guarded by the strong ETag", (t) => {
  t.deepEqual(resumeHeaders(cutAt(400)), { range: "bytes=400-", "if-range": ETAG });
  t.deepEqual(resumeHeaders(cutAt(400, { etag: 'W/"weak"' })), { range: "bytes=400-" });
  t.deepEqual(resumeHeaders(cutAt(400, { etag: undefined })), { range: "bytes=400-" });
});

test("without Accept-Ranges a cut transfer starts over", (t) => {
  t.deepEqual(resumeHeaders(cutAt(400, { rangesAccepted: false })), {});
});

test("the first 200 records size, ETag and range support", (t) => {
  const { plan, progress } = planResponse(newProgress(), 200, {
    "content-length": "1000",
    etag: ETAG,
    "accept-ranges": "bytes",
  });
  t.deepEqual(plan, { kind: "fromStart", totalBytes: 1000, discard: false });
  t.deepEqual(progress, { bytesWritten: 0, totalBytes: 1000, etag: ETAG, rangesAccepted: true });
});

test("a 200 to a range request (ranges ignored, or If-Range failed) discards what was written", (t) => {
  const { plan, progress } = planResponse(cutAt(400), 200, { "content-length": "1200", etag: '"new"' });
  t.deepEqual(plan, { kind: "fromStart", totalBytes: 1200, discard: true });
  t.is(progress.bytesWritten, 0);
  t.false(progress.rangesAccepted);
});

test("a 206 that continues at the byte written appends", (t) => {
  const { plan, progress } = planResponse(cutAt(400), 206, {
    "content-range": "bytes 400-999/1000",
    etag: ETAG,
  });
  t.deepEqual(plan, { kind: "append", totalBytes: 1000 });
  t.is(progress.bytesWritten, 400, "the bytes written stay");
});

for (const [label, progress, range, reason] of [
  ["another start", cutAt(400), "bytes 300-999/1000", /starts at byte 300, not at 400/],
  ["short of the end", cutAt(400), "bytes 400-899/1000", /stops before the end/],
  ["another size", cutAt(400), "bytes 400-1199/1200", /now 1200 bytes, not 1000/],
  ["no size", cutAt(400), "bytes 400-999/*", /does not give the package size/],
  ["no Content-Range", cutAt(400), undefined, /without a usable Content-Range/],
  ["nothing asked", newProgress(), "bytes 0-999/1000", /request for the whole package/],
] as const) {
  test(`a 206 with ${label} is a mismatch: start over without a range`, (t) => {
    const headers: Record<string, string | undefined> = { "content-range": range };
    const result = planResponse(progress, 206, headers);
    t.is(result.plan.kind, "mismatch");
    if (result.plan.kind === "mismatch") t.regex(result.plan.reason, reason);
    t.false(result.progress.rangesAccepted);
  });
}

test("Content-Range parsing", (t) => {
  t.deepEqual(parseContentRange("bytes 0-9/10"), { start: 0, end: 9, total: 10 });
  t.deepEqual(parseContentRange("bytes 5-9/*"), { start: 5, end: 9, total: undefined });
  t.is(parseContentRange("bytes 9-5/10"), undefined);
  t.is(parseContentRange("bytes 0-10/10"), undefined);
  t.is(parseContentRange("items 0-9/10"), undefined);
});

test("complete when the announced size is reached, or when none was announced", (t) => {
  t.true(isComplete(cutAt(1000)));
  t.false(isComplete(cutAt(999)));
  t.true(isComplete({ bytesWritten: 5, rangesAccepted: false }));
});
