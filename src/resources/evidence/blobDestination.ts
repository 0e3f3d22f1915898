/**
 * Evidence in an Azure Blob Storage container, ideally write-once (WORM). The package is staged as blocks
 * while it arrives (each with its own MD5; staged blocks are invisible), and also kept in a private
 * temporary file for the zip check; only a proven package is committed, with `If-None-Match: *` so no blob
 * is ever overwritten, and its SHA-256, action and device in the blob's metadata. The manifest is a blob
 * beside it. The temporary file goes in every outcome; memory holds at most a few blocks.
 */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BlobContainerClient } from "../../blob/blobClient";
import { type ContainerRetention, evidenceRetention, isImmutable } from "../../blob/blobRetention";
import type {
  EvidenceDestination,
  EvidenceFileStatus,
  EvidenceLocation,
  ExistingEvidence,
  PackageFacts,
  StagedPackage,
} from "./evidenceDestination";
import { EvidenceError } from "./evidenceError";
import { manifestPathFor } from "./packageFileName";

/** Size of each staged block, in bytes: large enough for few requests, small enough for flat memory. */
export const BLOCK_SIZE_IN_BYTES = 4 * 1024 * 1024;

/** Blocks uploading at once while the package arrives (memory: this many blocks plus one filling). */
export const MAX_BLOCKS_IN_FLIGHT = 3;

/** Options of {@link BlobDestination}. */
export interface BlobDestinationOptions {
  /** Data-plane client of the container. */
  client: BlobContainerClient;
  /** Start of every blob name, e.g. `IR-4711/`. @default "" */
  blobPrefix?: string;
  /** Refuse a container that nothing protects (`MDE_EVIDENCE_NOT_IMMUTABLE`). @default true */
  requireImmutableStorage?: boolean;
}

/** `MDE_EVIDENCE_STORAGE` for a failed local or storage step, keeping the cause's coded message. */
function storageError(what: string, error: unknown): EvidenceError {
  const detail = error instanceof Error && "code" in error ? ` ${(error as Error).message}` : "";
  return new EvidenceError("MDE_EVIDENCE_STORAGE", `Could not ${what}.${detail}`, { cause: error });
}

/** A package being staged as blocks of one blob, with a private local copy for the zip check. */
class StagedBlob implements StagedPackage {
  private filePosition = 0;
  private block: Buffer = Buffer.alloc(0);
  private filled = 0;
  private blockIds: string[] = [];
  private inFlight: Array<Promise<void>> = [];
  private failure: unknown;
  private generation = randomBytes(6).toString("hex");
  private closed = false;
  /** Block buffers given back by finished uploads: reused, so memory is fixed and the collector idle. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly destination: BlobDestination,
    private readonly blobName: string,
    private readonly handle: FileHandle,
    private readonly folder: string,
    readonly localFile: string,
  ) {}

  async append(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(
        chunk,
        offset,
        chunk.length - offset,
        this.filePosition,
      );
      offset += bytesWritten;
      this.filePosition += bytesWritten;
    }
    for (let used = 0; used < chunk.length; ) {
      if (this.block.length === 0) this.block = this.spare.pop() ?? Buffer.allocUnsafe(BLOCK_SIZE_IN_BYTES);
      const n = Math.min(chunk.length - used, BLOCK_SIZE_IN_BYTES - this.filled);
      this.block.set(chunk.subarray(used, used + n), this.filled);
      this.filled += n;
      used += n;
      if (this.filled === BLOCK_SIZE_IN_BYTES) await this.stageBlock();
    }
  }

  async restart(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    this.inFlight = [];
    this.failure = undefined;
    this.blockIds = [];
    this.filled = 0;
    // Blocks staged before stay uncommitted and unnamed: the service drops them after a week.
    this.generation = randomBytes(6).toString("hex");
    await this.handle.truncate(0);
    this.filePosition = 0;
  }

  async commit(manifestText: string, facts?: PackageFacts): Promise<{ manifestText: string }> {
    if (!facts) throw new Error("a blob destination needs the package's facts to commit it");
    if (this.filled > 0) await this.stageBlock();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    await this.close();
    // The transfer's own MD5 of every byte (computed with the SHA-256), stored as the blob's Content-MD5.
    const contentMd5 = facts.contentMd5;
    const client = this.destination.client;
    let created: "created" | "exists";
    try {
      created = await client.commitBlocks(this.blobName, this.blockIds, {
        contentMd5,
        contentType: facts.contentType ?? "application/zip",
        metadata: { sha256: facts.sha256, actionid: facts.actionId, machineid: facts.machineId },
      });
    } catch (error) {
      throw storageError(`commit ${client.blobUrl(this.blobName)}`, error);
    }
    if (created === "exists") await this.destination.requireSamePackage(this.blobName, facts.sha256);
    return { manifestText: await this.destination.writeManifest(this.blobName, manifestText, facts) };
  }

  async discard(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    await this.close().catch(() => undefined);
    await rm(this.folder, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Uploads the filled block in the background, keeping at most MAX_BLOCKS_IN_FLIGHT uploads running. */
  private async stageBlock(): Promise<void> {
    const buffer = this.block;
    const bytes = buffer.subarray(0, this.filled);
    this.block = Buffer.alloc(0);
    this.filled = 0;
    const id = Buffer.from(`${this.generation}-${String(this.blockIds.length).padStart(6, "0")}`).toString(
      "base64",
    );
    this.blockIds.push(id);
    const upload = this.destination.client
      .putBlock(this.blobName, id, bytes)
      .catch((error) => {
        this.failure ??= storageError(
          `stage a block of ${this.destination.client.blobUrl(this.blobName)}`,
          error,
        );
      })
      .finally(() => {
        if (buffer.length === BLOCK_SIZE_IN_BYTES) this.spare.push(buffer);
      });
    this.inFlight.push(upload);
    if (this.inFlight.length >= MAX_BLOCKS_IN_FLIGHT) await this.inFlight.shift();
    if (this.failure) throw this.failure;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** Evidence kept in one blob container. */
export class BlobDestination implements EvidenceDestination {
  private containerRetention: ContainerRetention | undefined;

  constructor(private readonly options: BlobDestinationOptions) {}

  /** The container's client. */
  get client(): BlobContainerClient {
    return this.options.client;
  }

  get description(): string {
    return `blob container ${this.client.container.url}`;
  }

  locate(fileName: string): EvidenceLocation {
    const name = `${this.options.blobPrefix ?? ""}${fileName}`;
    return { path: this.client.blobUrl(name), manifestPath: this.client.blobUrl(manifestPathFor(name)) };
  }

  /** Reads what protects the container; refuses an unprotected one unless told not to. */
  async prepare(): Promise<void> {
    const retention = await this.client.retention();
    this.containerRetention = retention;
    if ((this.options.requireImmutableStorage ?? true) && !isImmutable(retention)) {
      throw new EvidenceError(
        "MDE_EVIDENCE_NOT_IMMUTABLE",
        `The evidence container ${this.client.container.url} has no immutability policy, legal hold or version-level immutability, so its packages could be changed or deleted: no package link was fetched. Protect it first (Azure portal: container > Access policy > Add policy > Time-based retention, then lock it; or \`az storage container immutability-policy create\`; or enable version-level immutability on the account). Set requireImmutableStorage: false only for test containers.`,
      );
    }
  }

  async findExisting(
    location: EvidenceLocation,
    facts: { actionId: string },
  ): Promise<ExistingEvidence | undefined> {
    const name = this.nameOf(location.path);
    const properties = await this.client.properties(name);
    if (!properties) return undefined;
    const claimed = properties.metadata.sha256;
    if (properties.metadata.actionid !== facts.actionId || !claimed) {
      throw this.conflict(name, "it was not written by pulumi-mde for this collection");
    }
    const hash = createHash("sha256");
    let sizeInBytes = 0;
    await this.client.readBlob(name, (chunk) => {
      hash.update(chunk);
      sizeInBytes += chunk.length;
    });
    const sha256 = hash.digest("hex");
    if (sha256 !== claimed) throw this.conflict(name, "its bytes do not match the SHA-256 in its metadata");
    const manifest = await this.client.readSmallBlob(this.nameOf(location.manifestPath));
    return { sha256, sizeInBytes, ...(manifest ? { manifestText: manifest.toString("utf8") } : {}) };
  }

  /**
   * Writes the manifest from state beside its package. A manifest blob of other content is never
   * overwritten: it is reported as a conflict (on a write-once container it cannot have changed at all).
   */
  async restoreManifest(location: EvidenceLocation, manifestText: string): Promise<string> {
    const stored = await this.writeManifest(this.nameOf(location.path), manifestText);
    if (stored !== manifestText) {
      throw this.conflict(
        this.nameOf(location.manifestPath),
        "its manifest differs from the one recorded in state (edited outside the stack?)",
      );
    }
    return stored;
  }

  async outputsFor(location: EvidenceLocation): Promise<Record<string, unknown>> {
    const container = this.containerRetention ?? (await this.client.retention());
    const blob = await this.client.properties(this.nameOf(location.path));
    return {
      blobUrl: location.path,
      manifestUrl: location.manifestPath,
      retention: evidenceRetention(container, blob ?? {}),
    };
  }

  async stage(location: EvidenceLocation): Promise<StagedPackage> {
    let folder: string;
    try {
      folder = await mkdtemp(path.join(tmpdir(), "pulumi-mde-"));
    } catch (error) {
      throw storageError(`create a temporary folder in ${tmpdir()}`, error);
    }
    const localFile = path.join(folder, "package.zip.part");
    try {
      const handle = await open(localFile, "wx", 0o600);
      return new StagedBlob(this, this.nameOf(location.path), handle, folder, localFile);
    } catch (error) {
      await rm(folder, { recursive: true, force: true }).catch(() => undefined);
      throw storageError(`create a temporary file in ${tmpdir()}`, error);
    }
  }

  async inspect(
    location: EvidenceLocation,
    expected: { sha256: string; sizeInBytes: number; manifestSha256?: string },
  ): Promise<EvidenceFileStatus> {
    const blob = await this.client.properties(this.nameOf(location.path));
    if (!blob) return "missing";
    if (blob.sizeInBytes !== expected.sizeInBytes || blob.metadata.sha256 !== expected.sha256)
      return "altered";
    const manifest = await this.client.readSmallBlob(this.nameOf(location.manifestPath));
    if (!manifest) return "manifestMissing";
    if (
      expected.manifestSha256 &&
      createHash("sha256").update(manifest).digest("hex") !== expected.manifestSha256
    ) {
      return "manifestAltered";
    }
    return "intact";
  }

  /** Throws `MDE_EVIDENCE_CONFLICT` unless the blob `name` holds the package of SHA-256 `sha256`. */
  async requireSamePackage(name: string, sha256: string): Promise<void> {
    const found = await this.client.properties(name);
    if (found?.metadata.sha256 !== sha256) {
      throw this.conflict(name, "it holds other content");
    }
  }

  /**
   * Writes the manifest of package blob `name` unless one is there already (never overwritten).
   * @returns the manifest stored afterwards: `manifestText`, or the one that was there.
   */
  async writeManifest(name: string, manifestText: string, facts?: PackageFacts): Promise<string> {
    const manifestName = manifestPathFor(name);
    try {
      const written = await this.client.putSmallBlob(manifestName, manifestText, {
        contentType: "application/json",
        metadata: {
          sha256: createHash("sha256").update(manifestText).digest("hex"),
          ...(facts ? { packagesha256: facts.sha256, actionid: facts.actionId } : {}),
        },
      });
      if (written === "created") return manifestText;
      return (await this.client.readSmallBlob(manifestName))?.toString("utf8") ?? manifestText;
    } catch (error) {
      throw storageError(`write the manifest ${this.client.blobUrl(manifestName)}`, error);
    }
  }

  private conflict(name: string, why: string): EvidenceError {
    return new EvidenceError(
      "MDE_EVIDENCE_CONFLICT",
      `A blob already holds the name ${this.client.blobUrl(name)}, but ${why}: it was left untouched and nothing was written. Evidence is never overwritten: use another blobPrefix, or move the blob away if it is not evidence.`,
    );
  }

  /** The blob name of a URL of this container. */
  private nameOf(url: string): string {
    const base = `${this.client.container.url}/`;
    const rest = url.startsWith(base) ? url.slice(base.length) : url;
    return rest.split("/").map(decodeURIComponent).join("/");
  }
}
