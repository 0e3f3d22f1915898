/**
 * Writing a manifest into an evidence folder: durably to a temporary file first, then under its final
 * name without ever replacing another stack's record of the same package. The plain name
 * (`x.manifest.json`) goes to the first stack that keeps the package there; a second stack keeping the same
 * action in the same folder finds it taken by another owner (the manifest's `pulumi` project and stack)
 * and keeps its own as `x.<project>.<stack>.manifest.json`. Taking the plain name is a hard link, which
 * fails if the name exists: two stacks racing cannot both take it.
 */
import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, rm } from "node:fs/promises";
import { manifestOwner } from "./evidenceManifest";
import { stackManifestPathFor, temporaryPathFor } from "./packageFileName";
import { releasePartialFile, trackPartialFile } from "./partialFiles";
import { storageError } from "./storageError";

/** Permissions of evidence files: owner read and write only (see EVIDENCE_FILE_MODE of the folder). */
const FILE_MODE = 0o600;

/** Text that distinguishes concurrent writers of temporary files: process ID and random text. */
export function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Writes `text` to a new temporary file beside `finalPath`, synced to disk; registered as partial until
 * it is placed or removed. On failure nothing is left.
 * @returns the temporary file's path.
 * @throws EvidenceError `MDE_EVIDENCE_STORAGE` naming `finalPath`.
 */
export async function writeTemporaryFile(finalPath: string, text: string, what: string): Promise<string> {
  const temp = temporaryPathFor(finalPath, uniqueSuffix());
  trackPartialFile(temp);
  try {
    const handle = await open(temp, "wx", FILE_MODE);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (error) {
    await removeFile(temp);
    throw storageError(what, finalPath, error);
  }
}

/** Removes `file` if it is there, ignoring failures (it is a leftover), and forgets it as partial. */
export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => undefined);
  releasePartialFile(file);
}

/** Where {@link placeManifest} put the manifest. */
export interface PlacedManifest {
  /** The manifest's final path. */
  path: string;
  /** Whether it took a name no file had (so undoing it is removing it). */
  created: boolean;
}

async function takeFreeName(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target);
    await removeFile(temp);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // A file system without hard links (some network and FAT volumes): rename, no race protection there.
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") {
      const existing = await readFile(target, "utf8").catch(() => undefined);
      if (existing !== undefined) return false;
      await rename(temp, target);
      releasePartialFile(temp);
      return true;
    }
    throw error;
  }
}

/**
 * Puts the manifest written to `temp` in place: at `manifestPath` if free or held by the same owner (this
 * stack's earlier record, or a file that is no manifest: replaced), else at this stack's qualified name.
 * @param text - The manifest's text (its owner decides).
 * @throws EvidenceError `MDE_EVIDENCE_STORAGE` naming the path; `temp` is removed then.
 */
export async function placeManifest(
  temp: string,
  manifestPath: string,
  text: string,
): Promise<PlacedManifest> {
  let target = manifestPath;
  try {
    if (await takeFreeName(temp, target)) return { path: target, created: true };
    const owner = manifestOwner(text);
    // A record that names no owner (not a manifest, or damaged) is no one's to keep: it is replaced.
    const existingOwner = manifestOwner(await readFile(target, "utf8"));
    if (existingOwner !== undefined && existingOwner !== owner) {
      target = stackManifestPathFor(manifestPath, owner ?? "unknown/unknown");
      if (await takeFreeName(temp, target)) return { path: target, created: true };
    }
    await rename(temp, target);
    releasePartialFile(temp);
    return { path: target, created: false };
  } catch (error) {
    await removeFile(temp);
    throw storageError("put the manifest in place at", target, error);
  }
}
