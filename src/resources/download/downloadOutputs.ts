/**
 * What a download stores in state: the inputs as checked, then where the evidence is and what proves it.
 * Never the package link: it is a bearer secret and is used once, inside the provider process.
 */

import type { EvidenceFileStatus, EvidenceLocation, ExpectedEvidence } from "../evidence/evidenceDestination";
import { manifestSha256 } from "../evidence/evidenceManifest";
import type { DownloadedEvidence } from "./downloadEvidence";
import type { DownloadInputs } from "./downloadInputs";

/** Outputs stored for a download. */
export function downloadOutputs(
  inputs: DownloadInputs,
  evidence: DownloadedEvidence,
  fileStatus: EvidenceFileStatus = "intact",
): Record<string, unknown> {
  const { manifest, location, action } = evidence;
  const where =
    inputs.blobContainerUrl === undefined
      ? { path: location.path, manifestPath: location.manifestPath }
      : { blobUrl: location.path, manifestUrl: location.manifestPath };
  const outs: Record<string, unknown> = {
    ...inputs,
    ...where,
    ...evidence.destinationOutputs,
    sha256: manifest.package.sha256,
    sizeInBytes: manifest.package.sizeInBytes,
    downloadedAt: manifest.download.downloadedAt,
    machineId: action.machineId,
    computerDnsName: action.computerDnsName,
    fileStatus,
    // The manifest is evidence too: its digest shows an edit on refresh, and its record rebuilds it
    // byte for byte (see manifestText) when `up` restores it.
    manifestSha256: manifestSha256(evidence.manifestText),
    manifest,
  };
  // Protobuf structs cannot carry `undefined`; an absent output reads as undefined anyway.
  for (const [key, value] of Object.entries(outs))
    if (value === undefined || value === null) delete outs[key];
  return outs;
}

/** The evidence location stored in outputs, or undefined for state that has none. */
export function storedLocation(props: Record<string, unknown>): EvidenceLocation | undefined {
  if (typeof props.blobUrl === "string" && typeof props.manifestUrl === "string") {
    return { path: props.blobUrl, manifestPath: props.manifestUrl };
  }
  if (typeof props.path !== "string" || typeof props.manifestPath !== "string") return undefined;
  return { path: props.path, manifestPath: props.manifestPath };
}

/** The digest stored in outputs, or undefined for state that has none. */
export function storedDigest(props: Record<string, unknown>): ExpectedEvidence | undefined {
  if (typeof props.sha256 !== "string" || typeof props.sizeInBytes !== "number") return undefined;
  return {
    sha256: props.sha256,
    sizeInBytes: props.sizeInBytes,
    ...(typeof props.manifestSha256 === "string" ? { manifestSha256: props.manifestSha256 } : {}),
  };
}
