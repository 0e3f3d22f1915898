/**
 * The chain-of-custody record written beside each package: which action produced it, on which device, who
 * asked and why, when it was fetched, by which deployment and tool, and the digests that prove the bytes.
 * Pure: built from values the download gathered. It never holds the package link (a bearer secret), only
 * the host of the API that issued it.
 */
import type { MachineAction } from "../../client/wireTypes";

/** Identifies the manifest format, so later readers can tell versions apart. */
export const MANIFEST_SCHEMA = "pulumi-mde/evidence-manifest/v1";

/** The manifest as written (JSON). */
export interface EvidenceManifest {
  schema: typeof MANIFEST_SCHEMA;
  package: {
    /** File name of the zip, in the same folder as the manifest. */
    fileName: string;
    sizeInBytes: number;
    /** SHA-256 of the whole file, lowercase hex. */
    sha256: string;
    /** The server's `Content-MD5` (base64) when it sent one; it matched the bytes received. */
    contentMd5?: string;
    /** Every entry of the zip was read and its CRC-32 matched. */
    zipEntriesVerified: number;
  };
  action: {
    id: string;
    type: string;
    status: string;
    machineId: string;
    computerDnsName: string | null;
    requestor: string | null;
    requestorComment: string | null;
    creationDateTimeUtc: string;
    lastUpdateDateTimeUtc: string | null;
  };
  download: {
    /** When the verified file was put in place (ISO 8601, UTC). */
    downloadedAt: string;
    /** Host of the Defender API that issued the link (the link itself is a secret and never recorded). */
    apiHost: string;
    /** GetPackageUri calls this download needed (more than one when a link expired). */
    linkRequests: number;
    /** Transfers resumed with a byte range after a cut. */
    resumedTransfers: number;
    /** Transfers started over from the first byte (no range support, or a failed check). */
    restartedTransfers: number;
  };
  pulumi: { project: string | null; stack: string | null };
  tool: { name: string; version: string };
}

/** What {@link buildEvidenceManifest} needs. */
export interface ManifestFacts {
  fileName: string;
  sizeInBytes: number;
  sha256: string;
  contentMd5?: string | undefined;
  zipEntriesVerified: number;
  action: MachineAction;
  downloadedAt: string;
  /** The API endpoint of the settings (`https://host[:port][/prefix]`); only its host is kept. */
  apiEndpoint: string;
  linkRequests: number;
  resumedTransfers: number;
  restartedTransfers: number;
  /** `project/stack` as the SDK passed it. */
  pulumiStack?: string | undefined;
  toolName: string;
  toolVersion: string;
}

/** `project/stack` split at its first `/` (a project name has none). */
export function splitPulumiStack(pulumiStack: string | undefined): {
  project: string | null;
  stack: string | null;
} {
  if (!pulumiStack) return { project: null, stack: null };
  const slash = pulumiStack.indexOf("/");
  if (slash < 0) return { project: null, stack: pulumiStack };
  return { project: pulumiStack.slice(0, slash), stack: pulumiStack.slice(slash + 1) };
}

/** The host (and port) of an endpoint URL; the text itself when it does not parse. */
export function apiHostOf(apiEndpoint: string): string {
  try {
    return new URL(apiEndpoint).host;
  } catch {
    return apiEndpoint;
  }
}

/** Builds the manifest. Absent action fields become `null`, so every manifest has the same keys. */
export function buildEvidenceManifest(facts: ManifestFacts): EvidenceManifest {
  const a = facts.action;
  return {
    schema: MANIFEST_SCHEMA,
    package: {
      fileName: facts.fileName,
      sizeInBytes: facts.sizeInBytes,
      sha256: facts.sha256,
      ...(facts.contentMd5 ? { contentMd5: facts.contentMd5 } : {}),
      zipEntriesVerified: facts.zipEntriesVerified,
    },
    action: {
      id: a.id,
      type: a.type,
      status: a.status,
      machineId: a.machineId,
      computerDnsName: a.computerDnsName ?? null,
      requestor: a.requestor ?? null,
      requestorComment: a.requestorComment ?? null,
      creationDateTimeUtc: a.creationDateTimeUtc,
      lastUpdateDateTimeUtc: a.lastUpdateDateTimeUtc ?? null,
    },
    download: {
      downloadedAt: facts.downloadedAt,
      apiHost: apiHostOf(facts.apiEndpoint),
      linkRequests: facts.linkRequests,
      resumedTransfers: facts.resumedTransfers,
      restartedTransfers: facts.restartedTransfers,
    },
    pulumi: splitPulumiStack(facts.pulumiStack),
    tool: { name: facts.toolName, version: facts.toolVersion },
  };
}

/** The manifest as stored: indented JSON with a final newline (readable, stable to diff). */
export function manifestText(manifest: EvidenceManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
