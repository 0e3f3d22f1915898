/**
 * What a package transfer takes and what it proves: the options and result of `transferPackage`.
 */
import type { Dispatcher } from "undici";
import type { RetryOptions } from "../../retry/retryStrategy";
import type { StagedPackage } from "./evidenceDestination";
import type { TransferLimits } from "./transferLimits";

/** Default of {@link PackageTransferOptions.maxRestarts}. */
export const MAX_TRANSFER_RESTARTS = 2;

/** Options of {@link transferPackage}. */
export interface PackageTransferOptions extends TransferLimits {
  /** A fresh download link: one GetPackageUri call, in the link budget. */
  fetchLink: () => Promise<string>;
  /** Dispatcher of the download (the client's shared one: same CA, proxy and keep-alive). */
  dispatcher: Dispatcher;
  /** Where the bytes go. */
  sink: StagedPackage;
  /** Checks the complete bytes in `sink.localFile`; throws `MDE_PACKAGE_CORRUPT` to reject them. */
  verify: (localFile: string) => Promise<{ entries: number }>;
  /** Retry tuning (backoff is divided by `timeScale`). @default the defaults of `decideRetry` */
  retry?: RetryOptions;
  /** Cancels the transfer (the deployment is stopping): it ends with `MDE_ABORTED` at once. */
  signal?: AbortSignal;
  /** Receives one redacted line per retry. @default no logging */
  log?: (line: string) => void;
  /** Fresh links fetched after the first one was refused (403). @default MAX_LINK_RENEWALS (3) of packageLink */
  maxLinkRenewals?: number;
  /** Transfers started over after a failed check or an unusable range. @default MAX_TRANSFER_RESTARTS (2) */
  maxRestarts?: number;
}

/** What a completed transfer proved. */
export interface PackageTransferResult {
  /** SHA-256 of every byte, lowercase hex. */
  sha256: string;
  sizeInBytes: number;
  /** The server's `Content-MD5` (base64), when it sent one: the bytes matched it. */
  contentMd5?: string;
  /** MD5 of every byte (base64), computed in the same pass as the SHA-256: a blob's `Content-MD5`. */
  md5: string;
  /** Entries `verify` read. */
  zipEntries: number;
  /** GetPackageUri calls made. */
  linkRequests: number;
  /** Transfers resumed with a byte range. */
  resumedTransfers: number;
  /** Transfers started over from the first byte. */
  restartedTransfers: number;
}
