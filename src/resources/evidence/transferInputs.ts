/**
 * The download inputs that bound a transfer: `transferTimeoutInMinutes` (the overall deadline) and
 * `maxPackageSizeInBytes` (the size cap). Both only govern behaviour: a change updates state, nothing else.
 */
import { type InputFailure, UNKNOWN_VALUE } from "../shared/inputChecks";
import {
  DEFAULT_MAX_PACKAGE_SIZE_IN_BYTES,
  DEFAULT_TRANSFER_TIMEOUT_IN_MINUTES,
  type TransferLimits,
} from "./transferLimits";

/** Longest `transferTimeoutInMinutes`: one day. */
export const MAX_TRANSFER_TIMEOUT_IN_MINUTES = 24 * 60;

/** The transfer inputs, defaults filled in. */
export interface TransferInputs {
  /** Longest time of the package transfer, in real minutes (waiting for a link not counted). */
  transferTimeoutInMinutes: number;
  /** Largest package accepted, in bytes. */
  maxPackageSizeInBytes: number;
}

/** Names of the transfer inputs (behaviour inputs of the download). */
export const TRANSFER_INPUTS = ["transferTimeoutInMinutes", "maxPackageSizeInBytes"] as const;

function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : `${typeof value} ${String(value)}`;
}

/** Checks the transfer inputs as `check` receives them; unknown values are not judged. */
export function checkTransferInputs(news: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  const minutes = news.transferTimeoutInMinutes;
  if (minutes !== undefined && minutes !== UNKNOWN_VALUE) {
    if (
      typeof minutes !== "number" ||
      !Number.isFinite(minutes) ||
      minutes <= 0 ||
      minutes > MAX_TRANSFER_TIMEOUT_IN_MINUTES
    ) {
      failures.push({
        property: "transferTimeoutInMinutes",
        reason: `transferTimeoutInMinutes must be a number of minutes greater than 0 and at most ${MAX_TRANSFER_TIMEOUT_IN_MINUTES} (one day): the longest time one package transfer may take. Got ${shown(minutes)}.`,
      });
    }
  }
  const bytes = news.maxPackageSizeInBytes;
  if (bytes !== undefined && bytes !== UNKNOWN_VALUE) {
    if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes < 1) {
      failures.push({
        property: "maxPackageSizeInBytes",
        reason: `maxPackageSizeInBytes must be a whole number of bytes greater than 0 (default ${DEFAULT_MAX_PACKAGE_SIZE_IN_BYTES}, 4 GiB). Got ${shown(bytes)}.`,
      });
    }
  }
  return failures;
}

/** The transfer inputs of checked inputs or state, with defaults for anything older state lacks. */
export function transferInputsOf(props: Record<string, unknown>): TransferInputs {
  return {
    transferTimeoutInMinutes:
      typeof props.transferTimeoutInMinutes === "number"
        ? props.transferTimeoutInMinutes
        : DEFAULT_TRANSFER_TIMEOUT_IN_MINUTES,
    maxPackageSizeInBytes:
      typeof props.maxPackageSizeInBytes === "number"
        ? props.maxPackageSizeInBytes
        : DEFAULT_MAX_PACKAGE_SIZE_IN_BYTES,
  };
}

/** The limits a transfer applies for these inputs. */
export function transferLimitsOf(inputs: Partial<TransferInputs>): TransferLimits {
  const { transferTimeoutInMinutes, maxPackageSizeInBytes } = transferInputsOf(inputs);
  return { transferTimeoutInMs: transferTimeoutInMinutes * 60_000, maxPackageSizeInBytes };
}
