/**
 * What a download stores in state: the inputs as checked, then where the evidence is and what proves it.
 * Never the package link: it is a bearer secret and is used once, inside the provider process.
 */
import type { DownloadedEvidence } from "./downloadEvidence";
import type { DownloadInputs } from "./downloadInputs";
import type { EvidenceFileStatus, EvidenceLocation } from "./evidenceDestination";

/** Outputs stored for a download. */
export function downloadOutputs(
  inputs: DownloadInputs,
  evidence: DownloadedEvidence,
  fileStatus: EvidenceFileStatus = "intact",
): Record<string, unknown> {
  const { manifest, location, action } = evidence;
  const outs: Record<string, unknown> = {
    ...inputs,
    path: location.path,
    manifestPath: location.manifestPath,
    sha256: manifest.package.sha256,
    sizeInBytes: manifest.package.sizeInBytes,
    downloadedAt: manifest.download.downloadedAt,
    machineId: action.machineId,
    computerDnsName: action.computerDnsName,
    fileStatus,
  };
  // Protobuf structs cannot carry `undefined`; an absent output reads as undefined anyway.
  for (const [key, value] of Object.entries(outs))
    if (value === undefined || value === null) delete outs[key];
  return outs;
}

/** The evidence location stored in outputs, or undefined for state that has none. */
export function storedLocation(props: Record<string, unknown>): EvidenceLocation | undefined {
  if (typeof props.path !== "string" || typeof props.manifestPath !== "string") return undefined;
  return { path: props.path, manifestPath: props.manifestPath };
}

/** The digest stored in outputs, or undefined for state that has none. */
export function storedDigest(
  props: Record<string, unknown>,
): { sha256: string; sizeInBytes: number } | undefined {
  if (typeof props.sha256 !== "string" || typeof props.sizeInBytes !== "number") return undefined;
  return { sha256: props.sha256, sizeInBytes: props.sizeInBytes };
}
