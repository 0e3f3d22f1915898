/**
 * Resuming a cut transfer, as pure decisions: which headers the next request sends, and what a response
 * means for the bytes already on disk. The transfer acts on them; nothing here does I/O.
 *
 * A server that announced `Accept-Ranges: bytes` is asked for the rest (`Range: bytes=N-`), guarded by
 * `If-Range` with its strong ETag so a package that changed meanwhile comes back whole (200) instead of
 * being spliced. Anything else starts over from the first byte.
 */

/** What is known of a transfer between attempts. */
export interface TransferProgress {
  /** Bytes written (and hashed) so far, in order from the first. */
  bytesWritten: number;
  /** Size of the whole package, once a response said it. */
  totalBytes?: number | undefined;
  /** Strong ETag of the package, once a response gave one. */
  etag?: string | undefined;
  /** Whether the server announced `Accept-Ranges: bytes`. */
  rangesAccepted: boolean;
}

/** What a response means for the transfer. */
export type ResponsePlan =
  /** The whole package follows: write from the first byte (discarding what was written, if anything). */
  | { kind: "fromStart"; totalBytes: number | undefined; discard: boolean }
  /** The rest follows, starting at `bytesWritten`: append. */
  | { kind: "append"; totalBytes: number }
  /** A partial answer that does not continue the bytes on disk: start over without a range. */
  | { kind: "mismatch"; reason: string };

/** A fresh transfer. */
export function newProgress(): TransferProgress {
  return { bytesWritten: 0, rangesAccepted: false };
}

/** Headers that ask for the rest of the package, or none when it must come whole. */
export function resumeHeaders(progress: TransferProgress): Record<string, string> {
  if (progress.bytesWritten <= 0 || !progress.rangesAccepted) return {};
  const headers: Record<string, string> = { range: `bytes=${progress.bytesWritten}-` };
  // A weak ETag may not be used with If-Range (RFC 9110 13.1.5); without one, the Content-Range and the
  // final checks (size, Content-MD5, zip CRCs) still catch a changed package.
  if (progress.etag && !progress.etag.startsWith("W/")) headers["if-range"] = progress.etag;
  return headers;
}

/** `Content-Range: bytes a-b/total` parsed; undefined when absent or not that form. */
export function parseContentRange(
  value: string | undefined,
): { start: number; end: number; total: number | undefined } | undefined {
  const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? "");
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === "*" ? undefined : Number(match[3]);
  if (end < start || (total !== undefined && end >= total)) return undefined;
  return { start, end, total };
}

function contentLength(headers: Record<string, string | undefined>): number | undefined {
  const raw = headers["content-length"];
  return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
}

/**
 * Decides what a 200 or 206 response means for `progress`, and records what it says about the
 * package (ETag, range support, size) into a new progress. Header names must be lower case.
 */
export function planResponse(
  progress: TransferProgress,
  status: number,
  headers: Record<string, string | undefined>,
): { plan: ResponsePlan; progress: TransferProgress } {
  const etag = headers.etag?.trim() || undefined;
  const rangesAccepted = /\bbytes\b/i.test(headers["accept-ranges"] ?? "");
  if (status === 206) {
    const range = parseContentRange(headers["content-range"]);
    const expectedTotal = progress.totalBytes;
    let reason: string | undefined;
    if (progress.bytesWritten === 0) reason = "a partial answer to a request for the whole package";
    else if (!range) reason = "a partial answer without a usable Content-Range";
    else if (range.start !== progress.bytesWritten)
      reason = `the range starts at byte ${range.start}, not at ${progress.bytesWritten}`;
    else if (range.total === undefined) reason = "the range does not give the package size";
    else if (range.end !== range.total - 1) reason = "the range stops before the end of the package";
    else if (expectedTotal !== undefined && range.total !== expectedTotal)
      reason = `the package is now ${range.total} bytes, not ${expectedTotal}`;
    if (reason !== undefined || !range || range.total === undefined) {
      return {
        plan: { kind: "mismatch", reason: reason ?? "unusable range" },
        progress: { bytesWritten: progress.bytesWritten, rangesAccepted: false },
      };
    }
    return {
      plan: { kind: "append", totalBytes: range.total },
      progress: { ...progress, totalBytes: range.total, etag: etag ?? progress.etag, rangesAccepted: true },
    };
  }
  const totalBytes = contentLength(headers);
  return {
    plan: { kind: "fromStart", totalBytes, discard: progress.bytesWritten > 0 },
    progress: { bytesWritten: 0, totalBytes, etag, rangesAccepted },
  };
}

/** Whether `progress` holds the whole package: its announced size was reached (or no size was announced). */
export function isComplete(progress: TransferProgress): boolean {
  return progress.totalBytes === undefined || progress.bytesWritten === progress.totalBytes;
}
