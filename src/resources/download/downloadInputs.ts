/**
 * Validation, normalisation and diff of `InvestigationPackageDownload` inputs. Pure but for one `stat` of
 * the directory, so `check` rejects bad input at `pulumi preview`, before any API call or transfer.
 */
import { statSync } from "node:fs";
import path from "node:path";
import {
  blobContainerUrlProblem,
  blobPrefixProblem,
  parseBlobContainerUrl,
} from "../../blob/blobContainerUrl";
import { UNKNOWN_VALUE } from "../shared/inputChecks";
import type { EvidenceFileStatus } from "./evidenceDestination";
import {
  checkTransferInputs,
  TRANSFER_INPUTS,
  type TransferInputs,
  transferInputsOf,
} from "./transferInputs";

/** Default of `timeoutInMinutes`: how long create waits for the collection to succeed. */
export const DEFAULT_DOWNLOAD_TIMEOUT_IN_MINUTES = 60;

/** Longest `timeoutInMinutes`: one week, past which an offline device is a different problem. */
export const MAX_DOWNLOAD_TIMEOUT_IN_MINUTES = 7 * 24 * 60;

/** Inputs of a download after `check`: defaults filled in, directory absolute, container URL normalised. */
export interface DownloadInputs extends Partial<TransferInputs> {
  /** MachineAction ID of the collection (lower case). */
  actionId: string;
  /** Absolute path of the evidence directory (exactly one of this and `blobContainerUrl`). */
  directory?: string;
  /** URL of the evidence container, no query and no trailing slash. */
  blobContainerUrl?: string;
  /** Start of every blob name, e.g. `IR-4711/`. */
  blobPrefix?: string;
  /** Refuse a container that nothing makes immutable (blob destinations; default true). */
  requireImmutableStorage?: boolean;
  /** How long create waits for the action to succeed, in minutes. */
  timeoutInMinutes: number;
  /** `project/stack` of the program, recorded in the manifest. */
  pulumiStack?: string;
}

/** One rejected input: the property and a message saying what was expected and what to do. */
export interface InputFailure {
  property: string;
  reason: string;
}

/** Inputs whose change downloads into a new resource (the old files stay: evidence is never deleted). */
export const REPLACING_DOWNLOAD_INPUTS = ["actionId", "directory", "blobContainerUrl", "blobPrefix"] as const;

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

function checkDirectory(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    return `directory is required: expected the path of the folder that keeps the evidence (created if missing), got ${describe(value)}.`;
  }
  if (value.includes("\0")) return "directory contains a NUL character: expected a file-system path.";
  try {
    const stat = statSync(path.resolve(value));
    if (!stat.isDirectory()) {
      return `directory ${JSON.stringify(value)} exists but is not a folder: give a folder path (it is created if missing), or move the file away.`;
    }
  } catch {
    // Missing: create makes it. Unreadable parents are reported by create, with the OS error.
  }
  return undefined;
}

function checkDestination(news: Record<string, unknown>): InputFailure[] {
  const hasDirectory = news.directory !== undefined && news.directory !== null;
  const hasContainer = news.blobContainerUrl !== undefined && news.blobContainerUrl !== null;
  const failures: InputFailure[] = [];
  if (hasDirectory === hasContainer) {
    failures.push({
      property: hasDirectory ? "blobContainerUrl" : "directory",
      reason: hasDirectory
        ? "Give exactly one destination: directory (a local folder) or blobContainerUrl (a blob container), not both."
        : "A destination is required: directory (a local folder, created if missing) or blobContainerUrl (the https URL of a blob container, e.g. https://<account>.blob.core.windows.net/evidence).",
    });
    return failures;
  }
  if (hasDirectory) {
    if (!isUnknown(news.directory)) {
      const reason = checkDirectory(news.directory);
      if (reason) failures.push({ property: "directory", reason });
    }
    for (const name of ["blobPrefix", "requireImmutableStorage"]) {
      if (news[name] !== undefined && news[name] !== null) {
        failures.push({
          property: name,
          reason: `${name} applies only to blobContainerUrl, not to directory: remove it.`,
        });
      }
    }
    return failures;
  }
  if (!isUnknown(news.blobContainerUrl)) {
    const reason =
      typeof news.blobContainerUrl === "string"
        ? blobContainerUrlProblem(news.blobContainerUrl)
        : `blobContainerUrl must be a string URL, got ${describe(news.blobContainerUrl)}.`;
    if (reason) failures.push({ property: "blobContainerUrl", reason });
  }
  if (news.blobPrefix !== undefined && !isUnknown(news.blobPrefix)) {
    const reason =
      typeof news.blobPrefix === "string"
        ? blobPrefixProblem(news.blobPrefix)
        : `blobPrefix must be a string such as "IR-4711/", got ${describe(news.blobPrefix)}.`;
    if (reason) failures.push({ property: "blobPrefix", reason });
  }
  const immutable = news.requireImmutableStorage;
  if (immutable !== undefined && !isUnknown(immutable) && typeof immutable !== "boolean") {
    failures.push({
      property: "requireImmutableStorage",
      reason: `requireImmutableStorage must be true or false, got ${describe(immutable)}.`,
    });
  }
  return failures;
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
  failures.push(...checkDestination(news));
  if (!isUnknown(news.timeoutInMinutes)) judge("timeoutInMinutes", checkTimeout(news.timeoutInMinutes));
  failures.push(...checkTransferInputs(news));

  const inputs: Record<string, unknown> = { ...news };
  if (typeof news.actionId === "string" && !isUnknown(news.actionId) && GUID.test(news.actionId.trim())) {
    inputs.actionId = news.actionId.trim().toLowerCase();
  }
  if (typeof news.directory === "string" && !isUnknown(news.directory) && news.directory.trim() !== "") {
    inputs.directory = path.resolve(news.directory);
  }
  if (
    typeof news.blobContainerUrl === "string" &&
    !isUnknown(news.blobContainerUrl) &&
    blobContainerUrlProblem(news.blobContainerUrl) === undefined
  ) {
    inputs.blobContainerUrl = parseBlobContainerUrl(news.blobContainerUrl).url;
    inputs.requireImmutableStorage ??= true;
    inputs.blobPrefix ??= "";
  }
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
    ...(typeof props.directory === "string" ? { directory: path.resolve(props.directory) } : {}),
    ...(typeof props.blobContainerUrl === "string"
      ? {
          blobContainerUrl: props.blobContainerUrl,
          blobPrefix: typeof props.blobPrefix === "string" ? props.blobPrefix : "",
          requireImmutableStorage: props.requireImmutableStorage !== false,
        }
      : {}),
    timeoutInMinutes:
      typeof props.timeoutInMinutes === "number"
        ? props.timeoutInMinutes
        : DEFAULT_DOWNLOAD_TIMEOUT_IN_MINUTES,
    ...transferInputsOf(props),
    ...(typeof props.pulumiStack === "string" ? { pulumiStack: props.pulumiStack } : {}),
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
