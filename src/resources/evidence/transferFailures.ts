/**
 * Failures of one transfer attempt as the retry loop sees them: a transport failure (a stall named as
 * such), and a failed check after which the transfer starts over from the first byte.
 */
import { DefenderError } from "../../core/errors";
import { networkError } from "../../http/networkErrors";

/** Response headers with lower-case names and single values. */
export function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Marks a failure after which the transfer starts over from the first byte. */
export function startOverError(message: string, cause?: unknown): DefenderError {
  return new DefenderError("MDE_INVALID_RESPONSE", message, { details: { startOver: true }, cause });
}

/**
 * A transport failure of the download. A stall (no headers or no bytes within `stallTimeoutInMs`) says
 * so; like a cut, it is retried and resumes with a byte range.
 * @param target - The request as messages show it (the link's host only).
 */
export function transferNetworkError(
  error: unknown,
  target: string,
  stallTimeoutInMs: number,
): DefenderError {
  const failure = networkError(error, "download", target);
  if (failure.code !== "MDE_HTTP_TIMEOUT") return failure;
  return new DefenderError(
    "MDE_HTTP_TIMEOUT",
    `${target} sent nothing for ${stallTimeoutInMs / 1000} s (stall timeout).`,
    {
      delivery: "doubtful",
      operation: "download",
      cause: error,
    },
  );
}
