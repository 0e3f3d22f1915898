/**
 * The chain-of-custody record written beside each package: which action produced it, on which device, who
 * asked and why, when it was fetched, by which deployment and tool, and the digests that prove the bytes.
 * Pure: built from values the download gathered. It never holds the package link (a bearer secret), only
 * the host of the API that issued it.
 */
import { createHash } from "node:crypto";
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

/** The `action` section of a manifest: absent fields become `null`, so every manifest has the same keys. */
export function manifestAction(a: MachineAction): EvidenceManifest["action"] {
  return {
    id: a.id,
    type: a.type,
    status: a.status,
    machineId: a.machineId,
    computerDnsName: a.computerDnsName ?? null,
    requestor: a.requestor ?? null,
    requestorComment: a.requestorComment ?? null,
    creationDateTimeUtc: a.creationDateTimeUtc,
    lastUpdateDateTimeUtc: a.lastUpdateDateTimeUtc ?? null,
  };
}

/** Builds the manifest. Absent action fields become `null`, so every manifest has the same keys. */
export function buildEvidenceManifest(facts: ManifestFacts): EvidenceManifest {
  return {
    schema: MANIFEST_SCHEMA,
    package: {
      fileName: facts.fileName,
      sizeInBytes: facts.sizeInBytes,
      sha256: facts.sha256,
      ...(facts.contentMd5 ? { contentMd5: facts.contentMd5 } : {}),
      zipEntriesVerified: facts.zipEntriesVerified,
    },
    action: manifestAction(facts.action),
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

/** Key order of the manifest as written; keys not listed follow in code-point order. */
const KEY_ORDER: Record<string, readonly string[]> = {
  "": ["schema", "package", "file", "action", "download", "pulumi", "tool"],
  package: ["fileName", "sizeInBytes", "sha256", "contentMd5", "zipEntriesVerified"],
  // A live response file's manifest (liveResponseManifest.ts) has `file` where a package's has `package`.
  file: ["fileName", "remotePath", "commandIndex", "sizeInBytes", "sha256", "contentMd5"],
  action: [
    "id",
    "type",
    "status",
    "machineId",
    "computerDnsName",
    "requestor",
    "requestorComment",
    "creationDateTimeUtc",
    "lastUpdateDateTimeUtc",
  ],
  download: ["downloadedAt", "apiHost", "linkRequests", "resumedTransfers", "restartedTransfers"],
  pulumi: ["project", "stack"],
  tool: ["name", "version"],
};

/** Keys that are `null` when unknown: state may return such a key absent, the file always has it. */
const NULLABLE: Record<string, readonly string[]> = {
  action: ["computerDnsName", "requestor", "requestorComment", "lastUpdateDateTimeUtc"],
  pulumi: ["project", "stack"],
};

/** `value` with its keys in the manifest's fixed order, at every level (arrays keep their order). */
function canonical(value: unknown, section: string): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, "*"));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const known = KEY_ORDER[section] ?? [];
  const nullable = NULLABLE[section] ?? [];
  const present = Object.keys(record).filter((key) => record[key] !== undefined);
  const extra = present.filter((key) => !known.includes(key)).sort();
  const keys = [...known.filter((key) => present.includes(key) || nullable.includes(key)), ...extra];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] = record[key] === undefined ? null : canonical(record[key], section === "" ? key : "*");
  }
  return out;
}

/**
 * The manifest as stored: indented JSON with a final newline (readable, stable to diff), its keys in a
 * fixed order whatever order the object has. So the same record always gives the same bytes: the manifest
 * kept in state (whose objects come back with their keys in another order) rebuilds the file exactly,
 * and its SHA-256 is the one state holds.
 */
export function manifestText(manifest: EvidenceManifest | object): string {
  return `${JSON.stringify(canonical(manifest, ""), null, 2)}\n`;
}

/** SHA-256 of the manifest's bytes (UTF-8), lowercase hex: what state keeps as `manifestSha256`. */
export function manifestSha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The `project/stack` a stored manifest names (`pulumi`), or undefined when the text is not a manifest
 * or names none. Tells one stack's record of a package from another's.
 */
export function manifestOwner(text: string): string | undefined {
  try {
    const pulumi = (JSON.parse(text) as { pulumi?: { project?: unknown; stack?: unknown } }).pulumi;
    if (!pulumi || (typeof pulumi.stack !== "string" && typeof pulumi.project !== "string")) return undefined;
    return `${typeof pulumi.project === "string" ? pulumi.project : ""}/${typeof pulumi.stack === "string" ? pulumi.stack : ""}`;
  } catch {
    return undefined;
  }
}

/**
 * The manifest kept in state (output `manifest`) as a record to rebuild the file from, or undefined when
 * state has none (state older than the manifest check) or it is not a manifest of this schema.
 */
export function storedManifest(value: unknown): EvidenceManifest | undefined {
  if (!value || typeof value !== "object") return undefined;
  const record = value as Partial<EvidenceManifest>;
  if (record.schema !== MANIFEST_SCHEMA || typeof record.package?.sha256 !== "string") return undefined;
  return record as EvidenceManifest;
}
