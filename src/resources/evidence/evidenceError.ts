/**
 * Failures of the evidence download that are not an API answer: the action is not ready, the package
 * does not pass its integrity checks, the evidence directory cannot be used. Each carries a stable code,
 * as every error of this package does; the message names the cause and what to do.
 */
import { redact } from "../../core/redact";

/** Stable codes of {@link EvidenceError}. */
export type EvidenceErrorCode =
  /** The action ended `Failed`, `TimeOut` or `Cancelled`: it has no package. */
  | "MDE_ACTION_NOT_SUCCEEDED"
  /** The action was still running when `timeoutInMinutes` passed. */
  | "MDE_ACTION_NOT_FINISHED"
  /** The action does not exist, or is not an investigation package collection. */
  | "MDE_ACTION_UNUSABLE"
  /** GetPackageUri gave no link for a succeeded action, or the link kept being refused. */
  | "MDE_PACKAGE_LINK_UNAVAILABLE"
  /** The downloaded bytes failed a check: size, Content-MD5, or an entry's CRC-32 in the zip. */
  | "MDE_PACKAGE_CORRUPT"
  /** The evidence directory or a file in it could not be created, written or read (the message names the path). */
  | "MDE_EVIDENCE_STORAGE"
  /** The transfer did not finish within its deadline (`transferTimeoutInMinutes`); nothing was kept. */
  | "MDE_TRANSFER_TIMEOUT"
  /** The body ran past the size the host announced, or past `maxPackageSizeInBytes`; nothing was kept. */
  | "MDE_PACKAGE_TOO_LARGE"
  /** A blob container for evidence has no immutability policy, legal hold or version-level immutability. */
  | "MDE_EVIDENCE_NOT_IMMUTABLE"
  /** Something other than this package holds its name at the destination; it was left untouched. */
  | "MDE_EVIDENCE_CONFLICT";

/** A failure of the evidence download, with a stable code and a redacted message. */
export class EvidenceError extends Error {
  override readonly name = "EvidenceError";
  /** Stable code to match on. */
  readonly code: EvidenceErrorCode;

  /**
   * @param code - Stable code.
   * @param message - Cause and fix; redacted on construction (a package link never survives into it).
   * @param options - The underlying error, kept as `cause`.
   */
  constructor(code: EvidenceErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** True when `error` is an {@link EvidenceError}, optionally with the given code. */
export function isEvidenceError(error: unknown, code?: EvidenceErrorCode): error is EvidenceError {
  return error instanceof EvidenceError && (code === undefined || error.code === code);
}
