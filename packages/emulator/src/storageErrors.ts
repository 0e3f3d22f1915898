/**
 * Errors of the package download host in Azure Blob Storage's wire format (the real links are
 * storage URLs): an XML `<Error>` body, `x-ms-error-code` and `x-ms-request-id` headers. One
 * factory method per error, like the API's `MdeErrorFactory`.
 */
import { randomUUID } from "node:crypto";
import type { HandlerResult } from "./http";

function storageError(
  status: number,
  code: string,
  message: string,
  options: { detail?: string; headers?: Record<string, string> } = {},
): HandlerResult {
  const requestId = randomUUID();
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message>${options.detail ? `<AuthenticationErrorDetail>${options.detail}</AuthenticationErrorDetail>` : ""}</Error>`;
  return {
    status,
    headers: {
      "Content-Type": "application/xml",
      "x-ms-request-id": requestId,
      "x-ms-error-code": code,
      ...options.headers,
    },
    raw: Buffer.from(xml, "utf8"),
    errorCode: code,
  };
}

const AUTH_FAILED =
  "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.";

/** Codes Blob Storage sends for a status, for faults that name only a status. */
const CODES_BY_STATUS: Record<number, string> = {
  400: "InvalidInput",
  403: "AuthenticationFailed",
  404: "BlobNotFound",
  412: "ConditionNotMet",
  416: "InvalidRange",
  500: "InternalError",
  503: "ServerBusy",
};

/** Factory of every error the download host answers. */
export const StorageErrorFactory = {
  /** 403: the link's signed expiry (`se`) has passed. */
  linkExpired(signedExpiry: string, nowMs: number): HandlerResult {
    return storageError(403, "AuthenticationFailed", AUTH_FAILED, {
      detail: `Signed expiry time [${signedExpiry}] must be after current time [${new Date(nowMs).toUTCString()}]`,
    });
  },
  /** 403: the signature does not match (tampered or foreign link). */
  signatureMismatch(): HandlerResult {
    return storageError(403, "AuthenticationFailed", AUTH_FAILED, { detail: "Signature did not match." });
  },
  /** 404: a validly signed link to a package that does not exist (any more). */
  blobNotFound(): HandlerResult {
    return storageError(404, "BlobNotFound", "The specified blob does not exist.");
  },
  /** 416: a byte range the package cannot satisfy. */
  invalidRange(size: number): HandlerResult {
    return storageError(
      416,
      "InvalidRange",
      "The range specified is invalid for the current size of the resource.",
      {
        headers: { "Content-Range": `bytes */${size}` },
      },
    );
  },
  /** Any status, for fault injection; 403 reads exactly like an expired link. */
  injected(status: number, code?: string, retryAfterSeconds?: number): HandlerResult {
    const resolved = code ?? CODES_BY_STATUS[status] ?? (status >= 500 ? "InternalError" : "InvalidInput");
    const headers: Record<string, string> =
      retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) };
    if (resolved === "AuthenticationFailed") {
      // Indistinguishable from a link that expired a second ago, which is what the fault stands for.
      const nowMs = Date.now();
      const expired = StorageErrorFactory.linkExpired(new Date(nowMs - 1000).toISOString(), nowMs);
      return { ...expired, status, headers: { ...expired.headers, ...headers } };
    }
    return storageError(status, resolved, `Injected fault (${status})`, { headers });
  },
};
