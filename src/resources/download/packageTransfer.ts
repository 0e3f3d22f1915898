/**
 * The transfer of one investigation package from its short-lived link to a staging place, through the one
 * retry loop. Every byte is hashed once, in order, as it is written: a cut transfer resumes with a byte
 * range where the server allows it (else starts over, discarding what it had); an expired link (403) is
 * replaced by a fresh one; the complete bytes must match their size and `Content-MD5`, then pass `verify`
 * (the zip's CRCs), or the transfer starts over a bounded number of times.
 *
 * The link is a bearer secret: it is requested with no Authorization header (the link alone authorizes),
 * and it appears in no message or log line (redacted, and registered as a secret by the client).
 */
import { type Dispatcher, request } from "undici";
import { DefenderError } from "../../core/errors";
import { USER_AGENT } from "../../http/httpClient";
import { networkError } from "../../http/networkErrors";
import { StopRetrying, withRetries } from "../../retry/retryLoop";
import { type RetryOptions, retryAfterMs } from "../../retry/retryStrategy";
import type { StagedPackage } from "./evidenceDestination";
import { EvidenceError } from "./evidenceError";
import { PackageLink } from "./packageLink";
import { isComplete, newProgress, planResponse, resumeHeaders, type TransferProgress } from "./rangeResume";
import { TransferDigest } from "./transferDigest";
import { linkTarget, transferStatusError } from "./transferStatusError";

/** Default of {@link PackageTransferOptions.maxRestarts}. */
export const MAX_TRANSFER_RESTARTS = 2;

/** Options of {@link transferPackage}. */
export interface PackageTransferOptions {
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
  /** Aborts the transfer. */
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
  /** Entries `verify` read. */
  zipEntries: number;
  /** GetPackageUri calls made. */
  linkRequests: number;
  /** Transfers resumed with a byte range. */
  resumedTransfers: number;
  /** Transfers started over from the first byte. */
  restartedTransfers: number;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Marks a failure after which the transfer starts over from the first byte. */
function startOverError(message: string, cause?: unknown): DefenderError {
  return new DefenderError("MDE_INVALID_RESPONSE", message, { details: { startOver: true }, cause });
}

/** One package transfer: its progress and digests survive between the loop's attempts. */
class Transfer {
  private progress: TransferProgress = newProgress();
  private readonly digest = new TransferDigest();
  private readonly link: PackageLink;
  private restarts = 0;
  private resumed = 0;
  private restarted = 0;

  constructor(private readonly options: PackageTransferOptions) {
    this.link = new PackageLink(options.fetchLink, options.maxLinkRenewals);
  }

  run(): Promise<PackageTransferResult> {
    const { options } = this;
    return withRetries(() => this.attempt(), {
      label: "download",
      method: "GET",
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log ? { log: options.log } : {}),
      toError: (e) =>
        e instanceof EvidenceError && e.code === "MDE_PACKAGE_CORRUPT"
          ? startOverError(e.message, e)
          : e instanceof DefenderError
            ? e
            : undefined,
      inspect: (error) => this.inspect(error),
    });
  }

  private async inspect(error: DefenderError): Promise<"again" | undefined> {
    if (error.details?.startOver === true) {
      if (this.restarts >= (this.options.maxRestarts ?? MAX_TRANSFER_RESTARTS)) {
        throw error.cause instanceof EvidenceError
          ? error.cause
          : new EvidenceError("MDE_PACKAGE_CORRUPT", `${error.message} The package was not accepted.`);
      }
      this.restarts++;
      this.options.log?.(`download: ${error.message}; starting over`);
      await this.startOver();
      return "again";
    }
    if (error.status === 403) {
      // An expired (or otherwise refused) link: Blob Storage answers 403 AuthenticationFailed.
      this.link.refused(error);
      this.options.log?.(`download: link refused (${error.apiCode ?? "403"}); fetching a fresh one`);
      return "again";
    }
    // The bytes on disk no longer fit the package (it shrank?): start over, within the same bound.
    if (error.status === 416) return this.inspect(startOverError(error.message));
    return undefined;
  }

  private async startOver(): Promise<void> {
    this.progress = newProgress();
    this.digest.reset();
    this.restarted++;
    try {
      await this.options.sink.restart();
    } catch (error) {
      throw new StopRetrying(error);
    }
  }

  private async attempt(): Promise<PackageTransferResult> {
    const { dispatcher, signal } = this.options;
    const link = await this.link.current();
    const target = linkTarget(link);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(link, {
        dispatcher,
        method: "GET",
        // No Authorization header: the link alone authorizes, and our bearer token must not leave the API.
        headers: { "user-agent": USER_AGENT, ...resumeHeaders(this.progress) },
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw networkError(error, "download", target);
    }
    const headers = flattenHeaders(response.headers);
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      await response.body.text().catch(() => "");
      throw transferStatusError(response.statusCode, headers, target, retryAfterMs(headers, Date.now()));
    }
    const { plan, progress } = planResponse(this.progress, response.statusCode, headers);
    if (plan.kind === "mismatch") {
      response.body.destroy();
      throw startOverError(`${target} answered ${plan.reason}.`);
    }
    if (plan.kind === "fromStart") {
      if (plan.discard) await this.startOver();
      this.digest.expectedMd5 = headers["content-md5"];
    } else {
      this.resumed++;
      // On a range read Blob Storage sends the whole blob's MD5 under another name.
      this.digest.expectedMd5 = headers["x-ms-blob-content-md5"] ?? this.digest.expectedMd5;
    }
    this.progress = progress;
    await this.receive(response, target);
    if (!isComplete(this.progress)) {
      throw new DefenderError(
        "MDE_CONNECTION_RESET",
        `${target} ended after ${this.progress.bytesWritten} of ${this.progress.totalBytes} bytes.`,
        { delivery: "doubtful", operation: "download" },
      );
    }
    return this.finish();
  }

  /** Streams the body into the sink, hashing each chunk as it is written. */
  private async receive(response: Dispatcher.ResponseData, target: string): Promise<void> {
    const chunks = response.body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (error) {
        // What arrived before the cut is written and hashed: the next attempt continues from there.
        throw networkError(error, "download", target);
      }
      if (next.done) return;
      const chunk = next.value as Buffer;
      try {
        await this.options.sink.append(chunk);
      } catch (error) {
        response.body.destroy();
        throw new StopRetrying(
          new EvidenceError("MDE_EVIDENCE_STORAGE", `Could not write the package: ${String(error)}`, {
            cause: error,
          }),
        );
      }
      this.digest.update(chunk);
      this.progress.bytesWritten += chunk.length;
    }
  }

  private async finish(): Promise<PackageTransferResult> {
    const { expectedMd5 } = this.digest;
    const { sha256, md5Matches } = this.digest.finish();
    if (!md5Matches) {
      throw startOverError(
        `The package's bytes do not match the Content-MD5 the server sent (${this.progress.bytesWritten} bytes received).`,
      );
    }
    const { entries } = await this.options.verify(this.options.sink.localFile);
    return {
      sha256,
      sizeInBytes: this.progress.bytesWritten,
      ...(expectedMd5 !== undefined ? { contentMd5: expectedMd5 } : {}),
      zipEntries: entries,
      linkRequests: this.link.requests,
      resumedTransfers: this.resumed,
      restartedTransfers: this.restarted,
    };
  }
}

/**
 * Transfers one package into `options.sink` and proves it whole.
 * @throws EvidenceError `MDE_PACKAGE_CORRUPT` when every allowed transfer failed a check,
 *   `MDE_PACKAGE_LINK_UNAVAILABLE` when fresh links kept being refused; DefenderError for a network or
 *   HTTP failure that outlasted the retries. The sink is left for the caller to discard.
 */
export function transferPackage(options: PackageTransferOptions): Promise<PackageTransferResult> {
  return new Transfer(options).run();
}
