/**
 * The chain-of-custody record beside each file a live response session collected: the remote path and
 * command it came from, the digests of the bytes, the action (device, requestor, comment), when it was
 * fetched, by which deployment and tool. The package manifest's shape with `file` where it has `package`,
 * under its own versioned schema; written with the same `manifestText` (fixed key order). Pure. It never
 * holds the result link (a bearer secret), only the host of the API that issued it.
 */
import {
  apiHostOf,
  type EvidenceManifest,
  type ManifestFacts,
  manifestAction,
  splitPulumiStack,
} from "../evidence/evidenceManifest";

/** Identifies the format of a live response file's manifest. */
export const FILE_MANIFEST_SCHEMA = "pulumi-mde/live-response-file-manifest/v1";

/** The manifest as written (JSON). */
export interface FileManifest {
  schema: typeof FILE_MANIFEST_SCHEMA;
  file: {
    /** File name of the collected file, in the same folder (or blob prefix) as the manifest. */
    fileName: string;
    /** The path on the device, as the GetFile command named it. */
    remotePath: string;
    /** The command's index in the session (from 0). */
    commandIndex: number;
    sizeInBytes: number;
    /** SHA-256 of the whole file, lowercase hex. */
    sha256: string;
    /** The server's `Content-MD5` (base64) when it sent one; it matched the bytes received. */
    contentMd5?: string;
  };
  action: EvidenceManifest["action"];
  download: EvidenceManifest["download"];
  pulumi: EvidenceManifest["pulumi"];
  tool: EvidenceManifest["tool"];
}

/** What {@link buildFileManifest} needs: the package manifest's facts, with the remote path and command. */
export interface FileManifestFacts extends Omit<ManifestFacts, "zipEntriesVerified"> {
  remotePath: string;
  commandIndex: number;
}

/** Builds the manifest of one collected file. */
export function buildFileManifest(facts: FileManifestFacts): FileManifest {
  return {
    schema: FILE_MANIFEST_SCHEMA,
    file: {
      fileName: facts.fileName,
      remotePath: facts.remotePath,
      commandIndex: facts.commandIndex,
      sizeInBytes: facts.sizeInBytes,
      sha256: facts.sha256,
      ...(facts.contentMd5 ? { contentMd5: facts.contentMd5 } : {}),
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
