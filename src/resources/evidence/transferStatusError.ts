/**
 * Errors for HTTP statuses of the package download host. The real links point at a storage host, which
 * answers in Azure Blob Storage's format (`x-ms-error-code`, an XML body), not the Defender API's: so the
 * API's error builder, whose hints are about API permissions, does not fit here.
 */
import { DefenderError } from "../../core/errors";
import { outsideIdentifier } from "../../core/redact";
import { codeForStatus } from "../../http/httpClient";

/**
 * How messages name a download request: the host only. The whole link is the secret (its path can carry
 * tokens too), so not even a redacted form of it is shown.
 */
export function linkTarget(link: string): string {
  try {
    return `GET <package link on ${new URL(link).host}>`;
  } catch {
    return "GET <package link>";
  }
}

function hintFor(status: number, storageCode: string | undefined): string {
  if (status === 403) {
    return storageCode === "AuthenticationFailed"
      ? "The link expired or was refused; a fresh one is requested."
      : "The download host refused the link.";
  }
  if (status === 404) {
    return "The link points at no package (it may have been removed after its retention period): collect the package again (a new InvestigationPackageCollection, e.g. by changing its triggers).";
  }
  if (status === 416) return "The byte range asked for does not fit the package.";
  if (status === 429 || status >= 500)
    return "The download host is busy or failing; the transfer is retried.";
  return "Unexpected answer from the download host.";
}

/**
 * The {@link DefenderError} for a download answered with `status`.
 * @param headers - Response headers, lower-case names (`x-ms-error-code`, `x-ms-request-id` are used).
 * @param target - The request as messages show it, the link already redacted.
 * @param retryAfter - `Retry-After` in milliseconds, when the response carried one.
 */
export function transferStatusError(
  status: number,
  headers: Record<string, string>,
  target: string,
  retryAfter: number | undefined,
): DefenderError {
  // The host's words are outside text: quoted only in the shapes Azure Storage uses (a code, a GUID).
  const storageCode = outsideIdentifier(headers["x-ms-error-code"]);
  const requestId = outsideIdentifier(headers["x-ms-request-id"]);
  return new DefenderError(
    codeForStatus(status),
    `${target} answered ${status}${storageCode ? ` ${storageCode}` : ""}. ${hintFor(status, storageCode)}${requestId ? ` Request id: ${requestId}.` : ""}`,
    {
      status,
      operation: "download",
      delivery: "answered",
      ...(storageCode ? { apiCode: storageCode } : {}),
      ...(requestId ? { correlationId: requestId } : {}),
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    },
  );
}
