/**
 * Evidence in a local directory: the package is written to a dot file ending in `.part` beside its final
 * name and synced; once proven, its manifest is written and synced to a temporary file, put in place, and
 * then the package is renamed into place (atomic on one file system). Both become visible together: a
 * failure before the last rename leaves neither under its final name, and the manifest goes first so a
 * visible package always has its manifest. Every file-system failure is `MDE_EVIDENCE_STORAGE` naming the
 * path.
 */
import { type FileHandle, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type {
  CommittedManifest,
  EvidenceDestination,
  EvidenceFileStatus,
  EvidenceLocation,
  ExpectedEvidence,
  StagedPackage,
} from "./evidenceDestination";
import { manifestSha256 } from "./evidenceManifest";
import { digestFile } from "./fileDigest";
import { placeManifest, removeFile, uniqueSuffix, writeTemporaryFile } from "./manifestPlacement";
import { manifestPathFor, temporaryPathFor } from "./packageFileName";
import { releasePartialFile, trackPartialFile } from "./partialFiles";
import { storageError } from "./storageError";

/**
 * Permissions of evidence files: owner read and write only. Packages hold process lists, user accounts and
 * event logs of the device; widen access deliberately (e.g. a group ACL on the folder), not by default.
 */
export const EVIDENCE_FILE_MODE = 0o600;

async function syncDirectory(directory: string): Promise<void> {
  // Makes the renames durable; not every platform can open a folder (Windows), so best effort.
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The renames are done; only their durability across a power cut is less certain.
  }
}

/** A package staged in a `.part` file. */
class StagedFile implements StagedPackage {
  private position = 0;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly localFile: string,
    private readonly location: EvidenceLocation,
  ) {}

  async append(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    try {
      while (offset < chunk.length) {
        const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset, this.position);
        offset += bytesWritten;
        this.position += bytesWritten;
      }
    } catch (error) {
      throw storageError("write the package to", this.localFile, error);
    }
  }

  async restart(): Promise<void> {
    try {
      await this.handle.truncate(0);
    } catch (error) {
      throw storageError("truncate", this.localFile, error);
    }
    this.position = 0;
  }

  async commit(manifestText: string): Promise<CommittedManifest | undefined> {
    const { location } = this;
    try {
      await this.handle.sync();
      await this.close();
    } catch (error) {
      throw storageError("write the package to", this.localFile, error);
    }
    // Written and synced before either file shows: a full disk here leaves neither.
    const temp = await writeTemporaryFile(location.manifestPath, manifestText, "write the manifest");
    const placed = await placeManifest(temp, location.manifestPath, manifestText);
    try {
      await rename(this.localFile, location.path);
      releasePartialFile(this.localFile);
    } catch (error) {
      // The package did not appear: neither may its new manifest.
      if (placed.created) await removeFile(placed.path);
      throw storageError("put the package in place at", location.path, error);
    }
    await syncDirectory(path.dirname(location.path));
    return placed.path === location.manifestPath ? undefined : { manifestText, manifestPath: placed.path };
  }

  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.localFile, { force: true }).catch(() => undefined);
    releasePartialFile(this.localFile);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** Evidence kept in one local folder (created on first use). */
export class DirectoryDestination implements EvidenceDestination {
  /** @param directory - Absolute path of the folder. */
  constructor(readonly directory: string) {}

  get description(): string {
    return `directory ${this.directory}`;
  }

  locate(fileName: string): EvidenceLocation {
    const file = path.join(this.directory, fileName);
    return { path: file, manifestPath: manifestPathFor(file) };
  }

  async stage(location: EvidenceLocation): Promise<StagedPackage> {
    const folder = path.dirname(location.path);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw storageError("create the evidence folder", folder, error);
    }
    const localFile = temporaryPathFor(location.path, uniqueSuffix());
    trackPartialFile(localFile);
    try {
      const handle = await open(localFile, "wx", EVIDENCE_FILE_MODE);
      return new StagedFile(handle, localFile, location);
    } catch (error) {
      releasePartialFile(localFile);
      throw storageError("create a file in", folder, error);
    }
  }

  async inspect(location: EvidenceLocation, expected: ExpectedEvidence): Promise<EvidenceFileStatus> {
    let found: Awaited<ReturnType<typeof digestFile>>;
    try {
      found = await digestFile(location.path);
    } catch (error) {
      throw storageError("read the package at", location.path, error);
    }
    if (!found) return "missing";
    if (found.sha256 !== expected.sha256 || found.sizeInBytes !== expected.sizeInBytes) return "altered";
    let manifest: string;
    try {
      manifest = await readFile(location.manifestPath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "manifestMissing";
      throw storageError("read the manifest at", location.manifestPath, error);
    }
    if (expected.manifestSha256 !== undefined && manifestSha256(manifest) !== expected.manifestSha256) {
      return "manifestAltered";
    }
    return "intact";
  }

  /** Writes the manifest from state over a missing or altered one, atomically (temporary file, rename). */
  async restoreManifest(location: EvidenceLocation, manifestText: string): Promise<string> {
    const temp = await writeTemporaryFile(location.manifestPath, manifestText, "write the manifest");
    try {
      await rename(temp, location.manifestPath);
      releasePartialFile(temp);
    } catch (error) {
      await removeFile(temp);
      throw storageError("put the manifest in place at", location.manifestPath, error);
    }
    await syncDirectory(path.dirname(location.manifestPath));
    return manifestText;
  }
}
