/**
 * Where evidence is kept, behind a small interface: a local directory, or an immutable (WORM) blob
 * container. A package is streamed into a staging place, checked there, and only then put in
 * place under its final name together with its manifest; a failed download leaves nothing under that name.
 */

/** What a refresh finds where a package was put. */
export type EvidenceFileStatus =
  /** The package is there with the digest it was downloaded with, and its manifest is beside it. */
  | "intact"
  /** The package is gone. */
  | "missing"
  /** The package is there but its bytes differ from what was downloaded. */
  | "altered"
  /** The package is intact but its manifest is gone. */
  | "manifestMissing"
  /** The package is intact but its manifest's bytes differ from the ones written. */
  | "manifestAltered";

/** What a committed package is, for destinations that record it beside the bytes (e.g. blob metadata). */
export interface PackageFacts {
  /** SHA-256 of the package, lowercase hex. */
  sha256: string;
  sizeInBytes: number;
  /** MD5 of the package (base64), as `Content-MD5` carries it. */
  contentMd5: string;
  /** The collection's MachineAction ID. */
  actionId: string;
  /** The device's ID. */
  machineId: string;
  /** Media type recorded where the destination keeps one (a blob's Content-Type). @default "application/zip" */
  contentType?: string;
}

/** A package found already stored under its final name, proven by its own bytes. */
export interface ExistingEvidence {
  /** SHA-256 of the stored bytes, lowercase hex. */
  sha256: string;
  sizeInBytes: number;
  /** The manifest stored beside it, when there is one. */
  manifestText?: string;
}

/** What a commit stored as the manifest, when it is not `manifestText` at the location's `manifestPath`. */
export interface CommittedManifest {
  /** The manifest stored (its SHA-256 is what state keeps). */
  manifestText: string;
  /**
   * Where the manifest went, when not at the location's `manifestPath`: a folder that already holds another
   * stack's manifest of the same package keeps it and puts this stack's beside it under a stack-qualified
   * name, so two stacks keeping one action never overwrite each other's records.
   */
  manifestPath?: string;
}

/** The digests state holds for a stored package, to compare what a refresh finds with. */
export interface ExpectedEvidence {
  /** SHA-256 of the package, lowercase hex. */
  sha256: string;
  sizeInBytes: number;
  /** SHA-256 of the manifest's bytes, lowercase hex; absent in state older than the manifest check. */
  manifestSha256?: string | undefined;
}

/** Where one package and its manifest go. */
export interface EvidenceLocation {
  /** Where the package is kept (a file path for a directory). */
  path: string;
  /** Where its manifest is kept. */
  manifestPath: string;
}

/** A package being received: bytes are appended in order, then committed or discarded. */
export interface StagedPackage {
  /**
   * Appends bytes; resolves once they are written.
   * @param signal - Aborts when the transfer's deadline passes or it is cancelled: a destination that
   *   waits on the network (an upload) must stop waiting then; the transfer discards the package after.
   */
  append(chunk: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Drops every byte written so far (the transfer starts over). */
  restart(): Promise<void>;
  /** A local file holding exactly the bytes appended so far, for checks that read it back. */
  readonly localFile: string;
  /**
   * Puts the package in place under its final name, then its manifest beside it. `facts` describe the
   * proven bytes, for destinations that record them (blob metadata). Never replaces an existing package of
   * other content. Returns the manifest actually stored when it is not `manifestText` (a write-once
   * destination that already held one keeps it). All or nothing: when it fails, neither the package nor
   * the manifest is visible under its final name (nor left half-written), and the error is an
   * `EvidenceError` `MDE_EVIDENCE_STORAGE` naming the place.
   */
  commit(manifestText: string, facts?: PackageFacts): Promise<void | CommittedManifest>;
  /** Removes everything staged; safe to call after a failed or successful commit. */
  discard(): Promise<void>;
}

/** Where evidence is kept. */
export interface EvidenceDestination {
  /** For messages, e.g. `directory /srv/evidence`. */
  readonly description: string;
  /** The location of the package named `fileName`. */
  locate(fileName: string): EvidenceLocation;
  /**
   * Checks made before any package link is fetched (e.g. that a container exists and is immutable).
   * Throws a coded error to refuse the destination; nothing is written then.
   */
  prepare?(): Promise<void>;
  /**
   * The package already stored at `location` for this action, proven by re-reading its bytes, or
   * undefined when nothing is there. Throws `MDE_EVIDENCE_CONFLICT` when something else holds the name.
   */
  findExisting?(
    location: EvidenceLocation,
    facts: { actionId: string },
  ): Promise<ExistingEvidence | undefined>;
  /**
   * Writes the manifest beside an existing package that lacks it (never over another manifest); returns
   * the manifest stored there afterwards. A destination that can replace a file (a folder) also replaces
   * an altered manifest with `manifestText` (rebuilt from state), atomically: a reader sees the old bytes
   * or the new, never a part; a failure is `MDE_EVIDENCE_STORAGE` naming the place.
   */
  restoreManifest?(location: EvidenceLocation, manifestText: string): Promise<string>;
  /** Outputs this destination adds for a stored package (e.g. `retention`). */
  outputsFor?(location: EvidenceLocation): Promise<Record<string, unknown>>;
  /** Opens a staging place for the package that will go to `location`. */
  stage(location: EvidenceLocation): Promise<StagedPackage>;
  /**
   * What is at `location` now, compared with the digests state holds: `manifestAltered` when
   * `expected.manifestSha256` is given and the manifest's bytes hash otherwise.
   * @throws EvidenceError `MDE_EVIDENCE_STORAGE` naming the place when it cannot be read (e.g. a folder at
   *   the package's path, no permission): never a raw file-system or HTTP error.
   */
  inspect(location: EvidenceLocation, expected: ExpectedEvidence): Promise<EvidenceFileStatus>;
}
