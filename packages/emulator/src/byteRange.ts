/**
 * The `Range` request header, for single byte ranges (RFC 9110 section 14). Azure Blob Storage,
 * which serves the real package links, answers one range per request; so does the emulator.
 */

/** What to send for a request's `Range` header. */
export type ByteRangeDecision =
  /** No range, one that must be ignored (another unit, several ranges): the whole body with 200. */
  | { kind: "full" }
  /** Bytes `start` to `end`, both inclusive, with 206. */
  | { kind: "partial"; start: number; end: number }
  /** A malformed or unsatisfiable byte range: 416. */
  | { kind: "unsatisfiable" };

const FULL: ByteRangeDecision = { kind: "full" };
const UNSATISFIABLE: ByteRangeDecision = { kind: "unsatisfiable" };

/** Up to 15 digits: every value stays an exact integer. */
const POSITION = "(\\d{1,15})";
const BOUNDED = new RegExp(`^${POSITION}-${POSITION}?$`);
const SUFFIX = new RegExp(`^-${POSITION}$`);

/**
 * Decides how to answer `header` for a body of `size` bytes.
 * - `bytes=N-`, `bytes=N-M` (M past the end is cut to the end), `bytes=-K` (the last K bytes);
 * - another unit, or several ranges: ignored, as RFC 9110 allows (the whole body);
 * - a start at or past the end, `M < N`, `-0`, or a `bytes=` value that does not parse: 416.
 */
export function decideByteRange(header: string | undefined, size: number): ByteRangeDecision {
  if (header === undefined) return FULL;
  const match = /^\s*bytes\s*=\s*(.*?)\s*$/i.exec(header);
  if (!match) return FULL;
  const spec = match[1] ?? "";
  if (spec.includes(",")) return FULL;
  const bounded = BOUNDED.exec(spec);
  if (bounded) {
    const start = Number(bounded[1]);
    const last = bounded[2] === undefined ? size - 1 : Number(bounded[2]);
    if (start >= size || last < start) return UNSATISFIABLE;
    return { kind: "partial", start, end: Math.min(last, size - 1) };
  }
  const suffix = SUFFIX.exec(spec);
  if (suffix) {
    const length = Number(suffix[1]);
    if (length === 0 || size === 0) return UNSATISFIABLE;
    return { kind: "partial", start: Math.max(0, size - length), end: size - 1 };
  }
  return UNSATISFIABLE;
}

/**
 * Whether an `If-Range` header lets the range apply: absent, or the current strong ETag.
 * A date (or any other value) never matches, so the client gets the whole, current body.
 */
export function ifRangeMatches(ifRange: string | undefined, etag: string): boolean {
  return ifRange === undefined || ifRange.trim() === etag;
}
