/**
 * The destination inputs every download of evidence shares: exactly one of `directory` (a local folder) and
 * `blobContainerUrl` (with `blobPrefix` and `requireImmutableStorage`). Judged at `check`, pure but for one
 * `stat` of the directory, normalised once (absolute folder, container URL without query or trailing slash).
 */
import { statSync } from "node:fs";
import path from "node:path";
import {
  blobContainerUrlProblem,
  blobPrefixProblem,
  parseBlobContainerUrl,
} from "../../blob/blobContainerUrl";
import { describe, type InputFailure, isUnknown } from "../shared/inputChecks";

/** The destination inputs after `check`. */
export interface DestinationInputs {
  /** Absolute path of the evidence directory (exactly one of this and `blobContainerUrl`). */
  directory?: string;
  /** URL of the evidence container, no query and no trailing slash. */
  blobContainerUrl?: string;
  /** Start of every blob name, e.g. `IR-4711/`. */
  blobPrefix?: string;
  /** Refuse a container that nothing makes immutable (blob destinations; default true). */
  requireImmutableStorage?: boolean;
}

/** Names of the destination inputs whose change stores evidence somewhere else (a new resource). */
export const REPLACING_DESTINATION_INPUTS = ["directory", "blobContainerUrl", "blobPrefix"] as const;

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

function checkBlobInputs(news: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
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

/** Judges the destination inputs as `check` receives them; unknown values (preview) are not judged. */
export function checkDestinationInputs(news: Record<string, unknown>): InputFailure[] {
  const hasDirectory = news.directory !== undefined && news.directory !== null;
  const hasContainer = news.blobContainerUrl !== undefined && news.blobContainerUrl !== null;
  if (hasDirectory === hasContainer) {
    return [
      {
        property: hasDirectory ? "blobContainerUrl" : "directory",
        reason: hasDirectory
          ? "Give exactly one destination: directory (a local folder) or blobContainerUrl (a blob container), not both."
          : "A destination is required: directory (a local folder, created if missing) or blobContainerUrl (the https URL of a blob container, e.g. https://<account>.blob.core.windows.net/evidence).",
      },
    ];
  }
  if (!hasDirectory) return checkBlobInputs(news);
  const failures: InputFailure[] = [];
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

/** Normalises known destination inputs in place: folder absolute, container URL plain, blob defaults. */
export function normaliseDestinationInputs(inputs: Record<string, unknown>): void {
  const { directory, blobContainerUrl } = inputs;
  if (typeof directory === "string" && !isUnknown(directory) && directory.trim() !== "") {
    inputs.directory = path.resolve(directory);
  }
  if (
    typeof blobContainerUrl === "string" &&
    !isUnknown(blobContainerUrl) &&
    blobContainerUrlProblem(blobContainerUrl) === undefined
  ) {
    inputs.blobContainerUrl = parseBlobContainerUrl(blobContainerUrl).url;
    inputs.requireImmutableStorage ??= true;
    inputs.blobPrefix ??= "";
  }
}

/** Reads the destination inputs of checked inputs or state. */
export function destinationInputsOf(props: Record<string, unknown>): DestinationInputs {
  return {
    ...(typeof props.directory === "string" ? { directory: path.resolve(props.directory) } : {}),
    ...(typeof props.blobContainerUrl === "string"
      ? {
          blobContainerUrl: props.blobContainerUrl,
          blobPrefix: typeof props.blobPrefix === "string" ? props.blobPrefix : "",
          requireImmutableStorage: props.requireImmutableStorage !== false,
        }
      : {}),
  };
}
