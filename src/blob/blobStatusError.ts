/**
 * Errors for statuses of the Blob Storage data plane. The service answers in its own format (an
 * `x-ms-error-code` header, an XML body): the header's code is kept, the body is never quoted (it is text
 * from outside and may echo request details). Messages name the blob by its URL, which holds no secret.
 */
import { DefenderError } from "../core/errors";
import { codeForStatus } from "../http/httpClient";

/** The Azure RBAC role that lets the stack's identity write evidence into a container. */
export const STORAGE_WRITER_ROLE = "Storage Blob Data Contributor";

function hintFor(status: number, storageCode: string | undefined, what: string): string {
  if (status === 401) {
    return "The storage token was refused: check that the stack's credential can sign in to Azure Storage (scope https://storage.azure.com/.default) and that the clock is right.";
  }
  if (status === 403) {
    return storageCode === "AuthorizationPermissionMismatch" || storageCode === "AuthorizationFailure"
      ? `The signed-in identity may not ${what}: grant it the role ${STORAGE_WRITER_ROLE} on the container (role assignments can take a few minutes to apply).`
      : `Storage refused the request: grant the signed-in identity ${STORAGE_WRITER_ROLE} on the container, and check the account's network rules (firewall, private endpoint).`;
  }
  if (status === 404) {
    return storageCode === "ContainerNotFound"
      ? "The container does not exist: create it (with an immutability policy for evidence) or fix blobContainerUrl."
      : "Not found.";
  }
  if (status === 409) return "The blob exists already or is being written.";
  if (status === 412) return "A condition on the blob did not hold.";
  if (status === 429 || status >= 500) return "Storage is busy or failing; the request is retried.";
  return "Unexpected answer from storage.";
}

/**
 * The {@link DefenderError} for a storage request answered with `status`.
 * @param headers - Response headers, lower-case names (`x-ms-error-code`, `x-ms-request-id` are used).
 * @param target - The request as messages show it, e.g. `PUT https://host/container/blob`.
 * @param what - What the request does, in words after "may not": "write blobs in the container".
 * @param retryAfter - `Retry-After` in milliseconds, when the response carried one.
 */
export function blobStatusError(
  status: number,
  headers: Record<string, string>,
  target: string,
  what: string,
  retryAfter: number | undefined,
): DefenderError {
  const storageCode = headers["x-ms-error-code"];
  const safeCode = storageCode && /^[A-Za-z]{1,64}$/.test(storageCode) ? storageCode : undefined;
  const requestId = headers["x-ms-request-id"];
  const safeRequestId = requestId && /^[0-9a-fA-F-]{8,64}$/.test(requestId) ? requestId : undefined;
  return new DefenderError(
    codeForStatus(status),
    `${target} answered ${status}${safeCode ? ` ${safeCode}` : ""}. ${hintFor(status, safeCode, what)}${safeRequestId ? ` Request id: ${safeRequestId}.` : ""}`,
    {
      status,
      operation: "blob",
      delivery: "answered",
      ...(safeCode ? { apiCode: safeCode } : {}),
      ...(safeRequestId ? { correlationId: safeRequestId } : {}),
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    },
  );
}
