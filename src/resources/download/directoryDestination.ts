/**
 * Evidence in a local directory: the package is written to a dot file ending in `.part` beside its final
 * name, synced, checked, then renamed into place (atomic on one file system), and its manifest likewise.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type {
  EvidenceDestination,
  EvidenceFileStatus,
  EvidenceLocation,
  StagedPackage,
} from "./evidenceDestination";
import { EvidenceError } from "./evidenceError";
import { digestFile } from "./fileDigest";
import { manifestPathFor, temporaryPathFor } from "./packageFileName";

/**
 * Permissions of evidence files: owner read and write only. Packages hold process lists, user accounts and
 * event logs of the device; widen access deliberately (e.g. a group ACL on the folder), not by default.
 */
export const EVIDENCE_FILE_MODE = 0o600;

function storageError(what: string, error: unknown): EvidenceError {
  const code = (error as NodeJS.ErrnoException).code;
  return new EvidenceError(
    "MDE_EVIDENCE_STORAGE",
    `Could not ${what}${code ? ` (${code})` : ""}: check that the folder is writable by the user running Pulumi and that the disk has room.`,
    { cause: error },
  );
}

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
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset, this.position);
      offset += bytesWritten;
      this.position += bytesWritten;
    }
  }

  async restart(): Promise<void> {
    await this.handle.truncate(0);
    this.position = 0;
  }

  async commit(manifestText: string): Promise<void> {
    const target = path.basename(this.location.path);
    try {
      await this.handle.sync();
      await this.close();
      await rename(this.localFile, this.location.path);
    } catch (error) {
      throw storageError(`put ${target} in place`, error);
    }
    const manifestTemp = temporaryPathFor(this.location.manifestPath, uniqueSuffix());
    try {
      const manifest = await open(manifestTemp, "wx", EVIDENCE_FILE_MODE);
      try {
        await manifest.writeFile(manifestText, "utf8");
        await manifest.sync();
      } finally {
        await manifest.close();
      }
      await rename(manifestTemp, this.location.manifestPath);
    } catch (error) {
      await rm(manifestTemp, { force: true }).catch(() => undefined);
      throw storageError(`write the manifest beside ${target}`, error);
    }
    await syncDirectory(path.dirname(this.location.path));
  }

  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.localFile, { force: true }).catch(() => undefined);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString("hex")}`;
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
    try {
      await mkdir(path.dirname(location.path), { recursive: true });
    } catch (error) {
      throw storageError(`create the evidence folder ${path.dirname(location.path)}`, error);
    }
    const localFile = temporaryPathFor(location.path, uniqueSuffix());
    try {
      const handle = await open(localFile, "wx", EVIDENCE_FILE_MODE);
      return new StagedFile(handle, localFile, location);
    } catch (error) {
      throw storageError(`create a file in ${path.dirname(location.path)}`, error);
    }
  }

  async inspect(
    location: EvidenceLocation,
    expected: { sha256: string; sizeInBytes: number },
  ): Promise<EvidenceFileStatus> {
    const found = await digestFile(location.path);
    if (!found) return "missing";
    if (found.sha256 !== expected.sha256 || found.sizeInBytes !== expected.sizeInBytes) return "altered";
    const manifest = await stat(location.manifestPath).catch(() => undefined);
    return manifest?.isFile() ? "intact" : "manifestMissing";
  }
}
