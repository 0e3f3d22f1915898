/**
 * `up` after a refresh found the manifest missing or altered while the package is intact: the manifest
 * is written again from state, byte for byte (the record kept in the `manifest` output gives the same
 * text, see `manifestText`), with no link fetched and no new collection. State older than that record, a
 * package no longer intact, or a destination that cannot restore: the caller downloads again.
 */

import type { EvidenceDestination } from "../evidence/evidenceDestination";
import { manifestSha256, manifestText, storedManifest } from "../evidence/evidenceManifest";
import { storedDigest, storedLocation } from "./downloadOutputs";

/** File statuses a manifest restore mends. */
const MANIFEST_DRIFT = new Set(["manifestMissing", "manifestAltered"]);

/**
 * Restores the manifest of a drifted resource from its stored outputs.
 * @param olds - The stored outputs (their `fileStatus` is what the last refresh found).
 * @param inputs - The new inputs as stored outputs carry them.
 * @returns the new outputs, or undefined when only a new download mends the drift.
 * @throws EvidenceError `MDE_EVIDENCE_STORAGE` naming the path when the folder cannot be read or written.
 */
export async function restoreFromState(
  destination: EvidenceDestination,
  olds: Record<string, unknown>,
  inputs: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  if (typeof olds.fileStatus !== "string" || !MANIFEST_DRIFT.has(olds.fileStatus)) return undefined;
  const location = storedLocation(olds);
  const expected = storedDigest(olds);
  const manifest = storedManifest(olds.manifest);
  if (!location || !expected || !manifest || !destination.restoreManifest) return undefined;
  // Looked at again: the package may have changed since the refresh.
  const now = await destination.inspect(location, expected);
  if (now === "missing" || now === "altered") return undefined;
  const { __provider: _provider, ...stored } = olds;
  const text =
    now === "intact" ? undefined : await destination.restoreManifest(location, manifestText(manifest));
  return {
    ...stored,
    ...inputs,
    ...(text !== undefined ? { manifestSha256: manifestSha256(text) } : {}),
    fileStatus: "intact",
  };
}
