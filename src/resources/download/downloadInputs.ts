/**
 * Validation, normalisation and diff of `InvestigationPackageDownload` inputs. Pure but for one `stat` of
 * the directory, so `check` rejects bad input at `pulumi preview`, before any API call or transfer.
 */
import {
  checkDestinationInputs,
  type DestinationInputs,
  destinationInputsOf,
  normaliseDestinationInputs,
} from "../evidence/destinationInputs";
import type { EvidenceFileStatus } from "../evidence/evidenceDestination";
import {
  checkTransferInputs,
  TRANSFER_INPUTS,
  type TransferInputs,
  transferInputsOf,
} from "../evidence/transferInputs";
import { type InputFailure, UNKNOWN_VALUE } from "../shared/inputChecks";

export type { InputFailure } from "../shared/inputChecks";

/** Default of `timeoutInMinutes`: how long create waits for the collection to succeed. */
export const DEFAULT_DOWNLOAD_TIMEOUT_IN_MINUTES = 60;

/** Longest `timeoutInMinutes`: one week, past which an offline device is a different problem. */
export const MAX_DOWNLOAD_TIMEOUT_IN_MINUTES = 7 * 24 * 60;

/** Inputs of a download after `check`: defaults filled in, directory absolute, container URL normalised. */
export interface DownloadInputs extends Partial<TransferInputs>, DestinationInputs {
  /** MachineAction ID of the collection (lower case). */
  actionId: string;
  /** How long create waits for the action to succeed, in minutes. */
  timeoutInMinutes: number;
  /** `project/stack` of the program, recorded in the manifest. */
  pulumiStack?: string;
  /** The connection profile (mde:profiles) it acts through; absent: the stack's own settings. */
  profile?: string;
}

/** Inputs whose change downloads into a new resource (the old files stay: evidence is never deleted). */
export const REPLACING_DOWNLOAD_INPUTS = [
  "actionId",
  "directory",
  "blobContainerUrl",
  "blobPrefix",
  "profile",
] as const;

/** Inputs that only govern behaviour or the record: a change updates state, nothing else. */
export const BEHAVIOUR_DOWNLOAD_INPUTS = [
  "timeoutInMinutes",
  "pulumiStack",
  "requireImmutableStorage",
  ...TRANSFER_INPUTS,
] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isUnknown = (value: unknown): boolean => value === UNKNOWN_VALUE;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `${JSON.stringify(shown)} (${value.length} characters)`;
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}

function checkActionId(value: unknown): string | undefined {
  if (typeof value === "string" && GUID.test(value.trim())) return undefined;
  const hex = typeof value === "string" && /^[0-9a-f]{32,40}$/i.test(value.trim());
  const hint = hex
    ? " That looks like a device ID (machineId): give the collection's action ID instead."
    : "";
  return `actionId must be the GUID of an investigation package collection (e.g. \`collection.id\` of an InvestigationPackageCollection, or an ID from Defender's action center), got ${describe(value)}.${hint}`;
}

function checkTimeout(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > MAX_DOWNLOAD_TIMEOUT_IN_MINUTES
  ) {
    return `timeoutInMinutes must be a number of minutes greater than 0 and at most ${MAX_DOWNLOAD_TIMEOUT_IN_MINUTES} (one week): how long to wait for the collection to succeed. Got ${describe(value)}.`;
  }
  return undefined;
}

/**
 * Validates raw inputs as the engine passes them to `check`. Values still unknown at preview (the
 * collection's ID before it exists) are not judged. Returns the normalised inputs and every failure.
 */
export function checkDownloadInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const failures: InputFailure[] = [];
  const judge = (property: string, reason: string | undefined) => {
    if (reason !== undefined) failures.push({ property, reason });
  };
  if (!isUnknown(news.actionId)) judge("actionId", checkActionId(news.actionId));
  failures.push(...checkDestinationInputs(news));
  if (!isUnknown(news.timeoutInMinutes)) judge("timeoutInMinutes", checkTimeout(news.timeoutInMinutes));
  failures.push(...checkTransferInputs(news));

  const inputs: Record<string, unknown> = { ...news };
  if (typeof news.actionId === "string" && !isUnknown(news.actionId) && GUID.test(news.actionId.trim())) {
    inputs.actionId = news.actionId.trim().toLowerCase();
  }
  normaliseDestinationInputs(inputs);
  inputs.timeoutInMinutes ??= DEFAULT_DOWNLOAD_TIMEOUT_IN_MINUTES;
  const transfer = transferInputsOf(inputs);
  inputs.transferTimeoutInMinutes ??= transfer.transferTimeoutInMinutes;
  inputs.maxPackageSizeInBytes ??= transfer.maxPackageSizeInBytes;
  return { inputs, failures };
}

/** Reads checked inputs (state or `check` output), with defaults for anything older state lacks. */
export function downloadInputs(props: Record<string, unknown>): DownloadInputs {
  return {
    actionId: String(props.actionId ?? "")
      .trim()
      .toLowerCase(),
    ...destinationInputsOf(props),
    timeoutInMinutes:
      typeof props.timeoutInMinutes === "number"
        ? props.timeoutInMinutes
        : DEFAULT_DOWNLOAD_TIMEOUT_IN_MINUTES,
    ...transferInputsOf(props),
    ...(typeof props.pulumiStack === "string" ? { pulumiStack: props.pulumiStack } : {}),
    ...(typeof props.profile === "string" && props.profile !== "" ? { profile: props.profile } : {}),
  };
}

/** What `diff` answers: changed inputs, those that replace, and whether the stored file drifted. */
export interface DownloadDiff {
  /** Inputs that changed (unknown ones count as changed). */
  changed: string[];
  /** The subset of `changed` that needs a new resource. */
  replaces: string[];
  /** The last refresh found the file missing or altered: an update downloads it again. */
  drifted: boolean;
}

/**
 * The diff the engine needs. `olds` are the stored outputs, whose `fileStatus` is what the last refresh
 * found: anything but `intact` makes an update that downloads the same action again (no new collection).
 */
export function diffDownloadInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): DownloadDiff {
  const before = downloadInputs(olds);
  const after = downloadInputs(news);
  const changed: string[] = [];
  for (const name of [...REPLACING_DOWNLOAD_INPUTS, ...BEHAVIOUR_DOWNLOAD_INPUTS]) {
    if (isUnknown(news[name])) changed.push(name);
    else if (JSON.stringify(before[name] ?? null) !== JSON.stringify(after[name] ?? null)) changed.push(name);
  }
  const replaces = changed.filter((name) => (REPLACING_DOWNLOAD_INPUTS as readonly string[]).includes(name));
  const status = olds.fileStatus as EvidenceFileStatus | undefined;
  return { changed, replaces, drifted: status !== undefined && status !== "intact" };
}
