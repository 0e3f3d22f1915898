/**
 * Where evidence is kept, behind a small interface: a local directory today; an immutable (WORM) blob
 * container is planned. A package is streamed into a staging place, checked there, and only then put in
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
  | "manifestMissing";

/** Where one package and its manifest go. */
export interface EvidenceLocation {
  /** Where the package is kept (a file path for a directory). */
  path: string;
  /** Where its manifest is kept. */
  manifestPath: string;
}

/** A package being received: bytes are appended in order, then committed or discarded. */
export interface StagedPackage {
  /** Appends bytes; resolves once they are written. */
  append(chunk: Uint8Array): Promise<void>;
  /** Drops every byte written so far (the transfer starts over). */
  restart(): Promise<void>;
  /** A local file holding exactly the bytes appended so far, for checks that read it back. */
  readonly localFile: string;
  /** Puts the package in place under its final name, then its manifest beside it. */
  commit(manifestText: string): Promise<void>;
  /** Removes everything staged; safe to call after a failed or successful commit. */
  discard(): Promise<void>;
}

/** Where evidence is kept. */
export interface EvidenceDestination {
  /** For messages, e.g. `directory /srv/evidence`. */
  readonly description: string;
  /** The location of the package named `fileName`. */
  locate(fileName: string): EvidenceLocation;
  /** Opens a staging place for the package that will go to `location`. */
  stage(location: EvidenceLocation): Promise<StagedPackage>;
  /** What is at `location` now, compared with the digest the package was downloaded with. */
  inspect(
    location: EvidenceLocation,
    expected: { sha256: string; sizeInBytes: number },
  ): Promise<EvidenceFileStatus>;
}
