/**
 * The transfer of one investigation package from its short-lived link to a staging place, through the one
 * retry loop. Every byte is hashed once, in order, as it is written: a cut transfer resumes with a byte
 * range where the server allows it (else starts over, discarding what it had); an expired link (403) is
 * replaced by a fresh one; the complete bytes must match their size and `Content-MD5`, then pass `verify`
 * (the zip's CRCs), or the transfer starts over a bounded number of times.
 *
 * Every wait is bounded (see transferLimits): a stall ends the attempt, a deadline ends the transfer, the
 * caller's signal cancels it, and no more bytes are written than announced or than the size cap.
 *
 * The link is a bearer secret: it is requested with no Authorization header (the link alone authorizes),
 * and it appears in no message or log line (redacted, and registered as a secret by the client).
 */
import { type Dispatcher, request } from "undici";
import { DefenderError } from "../../core/errors";
import { withAbort } from "../../core/sleep";
import { USER_AGENT } from "../../http/httpClient";
import { StopRetrying, withRetries } from "../../retry/retryLoop";
import { retryAfterMs } from "../../retry/retryStrategy";
import { EvidenceError } from "./evidenceError";
import { PackageLink } from "./packageLink";
import {
  MAX_TRANSFER_RESTARTS,
  type PackageTransferOptions,
  type PackageTransferResult,
} from "./packageTransferOptions";
import { isComplete, newProgress, planResponse, resumeHeaders, type TransferProgress } from "./rangeResume";
import { TransferDigest } from "./transferDigest";
import { flattenHeaders, startOverError, transferNetworkError } from "./transferFailures";
import {
  checkPackageSize,
  DEFAULT_MAX_PACKAGE_SIZE_IN_BYTES,
  DEFAULT_STALL_TIMEOUT_IN_MS,
  DEFAULT_TRANSFER_TIMEOUT_IN_MINUTES,
  TransferDeadline,
} from "./transferLimits";
import { linkTarget, transferStatusError } from "./transferStatusError";

/** Ends a response's body unread; the abort this raises in undici has nobody to tell. */
function dropBody(response: Dispatcher.ResponseData): void {
  response.body.on("error", () => undefined);
  response.body.destroy();
}

/** One package transfer: its progress and digests survive between the loop's attempts. */
class Transfer {
  private progress: TransferProgress = newProgress();
  private readonly digest = new TransferDigest();
  private readonly link: PackageLink;
  private restarts = 0;
  private resumed = 0;
  private restarted = 0;
  private readonly deadline: TransferDeadline;
  private readonly stallTimeoutInMs: number;
  private readonly maxPackageSizeInBytes: number;

  constructor(private readonly options: PackageTransferOptions) {
    this.link = new PackageLink(options.fetchLink, options.maxLinkRenewals);
    this.deadline = new TransferDeadline(
      options.transferTimeoutInMs ?? DEFAULT_TRANSFER_TIMEOUT_IN_MINUTES * 60_000,
      options.signal,
    );
    this.stallTimeoutInMs = options.stallTimeoutInMs ?? DEFAULT_STALL_TIMEOUT_IN_MS;
    this.maxPackageSizeInBytes = options.maxPackageSizeInBytes ?? DEFAULT_MAX_PACKAGE_SIZE_IN_BYTES;
  }

  async run(): Promise<PackageTransferResult> {
    try {
      return await this.retried();
    } catch (error) {
      if (this.deadline.expired) throw this.deadline.error();
      if (this.options.signal?.aborted) {
        throw new DefenderError("MDE_ABORTED", "The download was cancelled: nothing was kept.", {
          operation: "download",
        });
      }
      throw error;
    } finally {
      this.deadline.dispose();
    }
  }

  private retried(): Promise<PackageTransferResult> {
    const { options } = this;
    return withRetries(() => this.attempt(), {
      label: "download",
      method: "GET",
      ...(options.retry ? { retry: options.retry } : {}),
      // Waits between attempts end at the deadline or the caller's cancellation.
      signal: this.deadline.signal,
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
    const { dispatcher } = this.options;
    const { signal } = this.deadline;
    // Waiting for a link in the GetPackageUri budget is not transfer time; cancelling still ends it.
    this.deadline.pause();
    const link = await withAbort(this.link.current(), signal);
    this.deadline.run();
    const target = linkTarget(link);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(link, {
        dispatcher,
        method: "GET",
        // No Authorization header: the link alone authorizes, and our bearer token must not leave the API.
        headers: { "user-agent": USER_AGENT, ...resumeHeaders(this.progress) },
        signal,
        headersTimeout: this.stallTimeoutInMs,
        bodyTimeout: this.stallTimeoutInMs,
      });
    } catch (error) {
      throw transferNetworkError(error, target, this.stallTimeoutInMs);
    }
    const headers = flattenHeaders(response.headers);
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      await response.body.text().catch(() => "");
      throw transferStatusError(response.statusCode, headers, target, retryAfterMs(headers, Date.now()));
    }
    const { plan, progress } = planResponse(this.progress, response.statusCode, headers);
    if (plan.kind === "mismatch") {
      dropBody(response);
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
    try {
      // A package announced larger than the cap is refused before its first byte is written.
      checkPackageSize(0, 0, progress.totalBytes, this.maxPackageSizeInBytes);
    } catch (error) {
      dropBody(response);
      throw error;
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
    const { signal } = this.deadline;
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (error) {
        // What arrived before the cut is written and hashed: the next attempt continues from there.
        throw transferNetworkError(error, target, this.stallTimeoutInMs);
      }
      if (next.done) return;
      const chunk = next.value as Buffer;
      try {
        // Before the write: a body past its announced size or the cap never reaches the disk.
        checkPackageSize(
          this.progress.bytesWritten,
          chunk.length,
          this.progress.totalBytes,
          this.maxPackageSizeInBytes,
        );
        await withAbort(this.options.sink.append(chunk, signal), signal);
      } catch (error) {
        dropBody(response);
        if (
          error instanceof EvidenceError ||
          (error instanceof DefenderError && error.code === "MDE_ABORTED")
        )
          throw new StopRetrying(error);
        // The sink's own text is not quoted: it may come from a storage service.
        const code = (error as NodeJS.ErrnoException).code;
        throw new StopRetrying(
          new EvidenceError(
            "MDE_EVIDENCE_STORAGE",
            `Could not write the package${typeof code === "string" ? ` (${code})` : ""}: check that the destination is writable and has room.`,
            { cause: error },
          ),
        );
      }
      this.digest.update(chunk);
      this.progress.bytesWritten += chunk.length;
    }
  }

  private async finish(): Promise<PackageTransferResult> {
    const { expectedMd5 } = this.digest;
    const { sha256, md5, md5Matches } = this.digest.finish();
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
      md5,
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
export { MAX_TRANSFER_RESTARTS, type PackageTransferOptions, type PackageTransferResult };

export function transferPackage(options: PackageTransferOptions): Promise<PackageTransferResult> {
  return new Transfer(options).run();
}
