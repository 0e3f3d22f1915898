/**
 * The bounds of one package transfer, whatever sink the bytes go to (a folder, a blob upload): a stall
 * timeout (no bytes from the link host for so long ends the attempt, which then resumes or fails within
 * the retry bound), an overall deadline, the caller's cancellation, and a size cap. A trickling or endless
 * link host therefore ends in a coded error in bounded time, before the disk fills.
 */
import { EvidenceError } from "./evidenceError";

/** Default of {@link TransferLimits.stallTimeoutInMs}: no bytes for a minute ends the attempt. */
export const DEFAULT_STALL_TIMEOUT_IN_MS = 60_000;

/** Default of {@link TransferLimits.transferTimeoutInMs}, in minutes: one hour of transfer. */
export const DEFAULT_TRANSFER_TIMEOUT_IN_MINUTES = 60;

/**
 * Default of {@link TransferLimits.maxPackageSizeInBytes}: 4 GiB. Investigation packages are tens to a few
 * hundred megabytes; the cap only stops a host that sends without end.
 */
export const DEFAULT_MAX_PACKAGE_SIZE_IN_BYTES = 4 * 1024 ** 3;

/** The bounds of one transfer. */
export interface TransferLimits {
  /**
   * No byte (nor the response headers) for this long ends the attempt as `MDE_HTTP_TIMEOUT`; the transfer
   * resumes with a byte range within the retry bound. In real milliseconds.
   * @default DEFAULT_STALL_TIMEOUT_IN_MS (60000)
   */
  stallTimeoutInMs?: number;
  /**
   * Longest time of the whole transfer (requests, bytes, waits between attempts), in real milliseconds;
   * waiting for a link in the GetPackageUri budget is not counted. Past it: `MDE_TRANSFER_TIMEOUT`.
   * @default DEFAULT_TRANSFER_TIMEOUT_IN_MINUTES (60) minutes
   */
  transferTimeoutInMs?: number;
  /**
   * Largest package accepted, in bytes, announced or not: a host announcing more is refused before the
   * first byte is written, one sending more is cut at the cap (`MDE_PACKAGE_TOO_LARGE`).
   * @default DEFAULT_MAX_PACKAGE_SIZE_IN_BYTES (4 GiB)
   */
  maxPackageSizeInBytes?: number;
}

/**
 * The overall deadline of a transfer as an abort signal, with a clock that can be paused (while a link is
 * waited for in the rate budget, which is not a network wait of this transfer).
 */
export class TransferDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private startedAt = 0;
  /** Whether the deadline passed (as opposed to the caller cancelling). */
  expired = false;

  /**
   * @param limitMs - The deadline, in real milliseconds.
   * @param cancel - The caller's cancellation; aborts {@link signal} too.
   */
  constructor(
    readonly limitMs: number,
    cancel?: AbortSignal,
  ) {
    this.remainingMs = limitMs;
    if (cancel?.aborted) this.controller.abort(cancel.reason);
    else cancel?.addEventListener("abort", () => this.controller.abort(cancel.reason), { once: true });
  }

  /** Aborts when the deadline passes or the caller cancels. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts (or resumes) the clock. */
  run(): void {
    if (this.timer || this.controller.signal.aborted) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(
      () => {
        this.expired = true;
        this.controller.abort(new Error("transfer deadline passed"));
      },
      Math.max(0, this.remainingMs),
    );
    // A pending deadline must not keep a process alive on its own.
    this.timer.unref();
  }

  /** Stops the clock, keeping what is left. */
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs -= Date.now() - this.startedAt;
  }

  /** Stops the clock for good. */
  dispose(): void {
    this.pause();
  }

  /** The error for a transfer the deadline ended. */
  error(): EvidenceError {
    const minutes = Math.round((this.limitMs / 60_000) * 100) / 100;
    return new EvidenceError(
      "MDE_TRANSFER_TIMEOUT",
      `The package transfer did not finish within ${minutes} minutes (transferTimeoutInMinutes): the link host sent too slowly or not at all. Nothing was kept. Run \`pulumi up\` again, or raise transferTimeoutInMinutes for a slow connection.`,
    );
  }
}

/**
 * Refuses a package announced larger than the cap, and a body that goes past what was announced or past
 * the cap. Call with `chunkBytes` 0 as soon as the size is announced, before any byte is written.
 * @param received - Bytes of the package received before this chunk.
 * @param chunkBytes - Size of the chunk about to be written.
 * @param announced - The size the host announced (`Content-Length`, or the total of `Content-Range`).
 * @throws EvidenceError `MDE_PACKAGE_TOO_LARGE` before the chunk is written.
 */
export function checkPackageSize(
  received: number,
  chunkBytes: number,
  announced: number | undefined,
  maxPackageSizeInBytes: number,
): void {
  if (announced !== undefined && announced > maxPackageSizeInBytes) {
    throw new EvidenceError(
      "MDE_PACKAGE_TOO_LARGE",
      `The link host announces a package of ${announced} bytes, more than maxPackageSizeInBytes (${maxPackageSizeInBytes} bytes): nothing was kept. Raise maxPackageSizeInBytes if a package this large is expected.`,
    );
  }
  if (announced !== undefined && received + chunkBytes > announced) {
    throw new EvidenceError(
      "MDE_PACKAGE_TOO_LARGE",
      `The link host sent more than the ${announced} bytes it announced: the transfer was stopped and nothing was kept. Run \`pulumi up\` again; if it recurs, the link host (or a proxy before it) is misbehaving.`,
    );
  }
  if (received + chunkBytes > maxPackageSizeInBytes) {
    throw new EvidenceError(
      "MDE_PACKAGE_TOO_LARGE",
      `The package is larger than maxPackageSizeInBytes (${maxPackageSizeInBytes} bytes): the transfer was stopped${announced === undefined ? " (the host announced no size)" : ""} and nothing was kept. Raise maxPackageSizeInBytes if a package this large is expected.`,
    );
  }
}
