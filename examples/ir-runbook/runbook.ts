/**
 * An incident-response runbook as a Pulumi program, the three verbs of a response: contain every device
 * named in config (by Defender device ID or computer name) and every device carrying the incident's tag
 * (isolated while the stack exists, released by `pulumi destroy`), collect its investigation package
 * once, and pull the files the investigation needs through live response; wait for each; store each
 * package and file with its hash and manifest in an evidence folder or an (immutable) blob container;
 * export a chain-of-custody table.
 *
 * ```sh
 * pulumi config set runbook:alert "IR-4711: ransomware behaviour on the finance floor (alert 1234)"
 * pulumi config set --path 'runbook:devices[0]' ws-042.contoso.local
 * pulumi config set --path 'runbook:devices[1]' 1e5bc9d7e413ddd7902c2932e418702b84d0cc07
 * pulumi config set runbook:tag incident-4711          # optional: every device with this tag too
 * pulumi config set runbook:evidenceDirectory ./evidence
 * # or, instead of a folder, a blob container (Storage Blob Data Contributor for the mde:* identity):
 * # pulumi config set runbook:evidenceContainerUrl https://<account>.blob.core.windows.net/evidence
 * # pulumi config set runbook:evidencePrefix IR-4711/          # optional
 * pulumi config set runbook:isolate false              # optional: collect without containing
 * pulumi config set --path 'runbook:files[0]' 'C:\\Windows\\System32\\winevt\\Logs\\Security.evtx'  # optional
 * pulumi up                                            # isolates, collects once per device, downloads
 * pulumi destroy                                       # releases the devices; evidence stays
 * pulumi config set runbook:revision 2 && pulumi up    # collects again, on purpose
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import {
  DeviceIsolation,
  getMachines,
  InvestigationPackageCollection,
  InvestigationPackageDownload,
  LiveResponseFileCollection,
} from "pulumi-mde";

/**
 * Files pulled from each device by default: the hosts file (tampered with by much malware) and the
 * Security event log. `runbook:files` replaces them.
 */
export const DEFAULT_FILES: readonly string[] = [
  "C:\\Windows\\System32\\drivers\\etc\\hosts",
  "C:\\Windows\\System32\\winevt\\Logs\\Security.evtx",
];

/** One row of the chain-of-custody table. */
export interface CustodyRow {
  /** The device as config named it (ID or computer name), or its ID when found by tag. */
  device: string;
  /** The device's computer name, as Defender reports it. */
  computerDnsName: string;
  machineId: string;
  actionId: string;
  status: string;
  requestor: string;
  collectedAt: string;
  sha256: string;
  sizeInBytes: number;
  path: string;
  manifestPath: string;
  /** URL of the package blob, for a container destination ("" for a folder). */
  blobUrl: string;
  /** URL of the manifest blob, for a container destination ("" for a folder). */
  manifestUrl: string;
  downloadedAt: string;
  /**
   * What the last `up` or refresh found of the package: `intact`, `missing`, `altered` or
   * `manifestMissing` (the download's `fileStatus`). A plain `pulumi refresh` does not recompute stack
   * outputs: `pulumi refresh --run-program` does, and shows here what it found.
   */
  fileStatus: string;
  /** Whether the device is isolated (the stack contains it; `false` with `runbook:isolate false`). */
  isolated: boolean;
  /** The files pulled through live response: remote path, status, SHA-256, where each is kept. */
  files: Array<{ path: string; status: string; sha256: string; storedAt: string }>;
}

/** Stack outputs of the runbook. */
export interface RunbookOutputs {
  /** One row per device, in the order declared (named devices first, then tagged ones). */
  custody: pulumi.Output<CustodyRow[]>;
}

const DEVICE_ID = /^[0-9a-f]{32,40}$/i;

/** A device as config names it: its ID when it looks like one, otherwise its computer name. */
export function deviceTarget(device: string): { machineId: string } | { computerDnsName: string } {
  const value = device.trim();
  return DEVICE_ID.test(value)
    ? { machineId: value.toLowerCase() }
    : { computerDnsName: value.toLowerCase() };
}

/** A resource name for a device: readable, stable, unique within the runbook. */
export function resourceName(device: string): string {
  const value = device.trim().toLowerCase();
  return DEVICE_ID.test(value) ? value.slice(0, 12) : (value.split(".")[0] ?? value);
}

/** Where the packages go: a folder, or a blob container with an optional name prefix. */
export type EvidenceDestination =
  | { directory: string }
  | { blobContainerUrl: string; blobPrefix?: string; requireImmutableStorage?: boolean };

/**
 * The destination from `runbook:evidenceDirectory` or `runbook:evidenceContainerUrl` (with
 * `runbook:evidencePrefix`, and `runbook:requireImmutableStorage` false only for a test container);
 * a folder named `evidence` when neither is set.
 */
export function evidenceDestination(config: pulumi.Config): EvidenceDestination {
  const directory = config.get("evidenceDirectory");
  const containerUrl = config.get("evidenceContainerUrl");
  if (directory !== undefined && containerUrl !== undefined) {
    throw new Error(
      "runbook: set one of runbook:evidenceDirectory (a folder) and runbook:evidenceContainerUrl (a blob container), not both.",
    );
  }
  if (containerUrl === undefined) return { directory: directory ?? "evidence" };
  const prefix = config.get("evidencePrefix");
  const requireImmutable = config.getBoolean("requireImmutableStorage");
  return {
    blobContainerUrl: containerUrl,
    ...(prefix ? { blobPrefix: prefix } : {}),
    ...(requireImmutable === undefined ? {} : { requireImmutableStorage: requireImmutable }),
  };
}

/** Declares the runbook from the `runbook:*` config. */
export async function runbook(): Promise<RunbookOutputs> {
  const config = new pulumi.Config("runbook");
  const alert = config.require("alert");
  const named = config.getObject<string[]>("devices") ?? [];
  const tag = config.get("tag");
  const destination = evidenceDestination(config);
  // Bumping the revision replaces every collection: a deliberate second collection.
  const revision = config.get("revision") ?? "1";
  const timeoutInMinutes = config.getNumber("timeoutInMinutes") ?? 60;
  const contain = config.getBoolean("isolate") ?? true;
  const files = config.getObject<string[]>("files") ?? [...DEFAULT_FILES];

  // Tagged devices are looked up when the program runs: a device tagged later joins the next `up`.
  const tagged = tag ? (await getMachines({ tag })).machines.map((m) => m.id) : [];
  const devices = [...new Set([...named.map((d) => d.trim().toLowerCase()), ...tagged])];
  if (devices.length === 0) {
    throw new Error("runbook: no device: set runbook:devices (IDs or computer names) or runbook:tag.");
  }

  const rows = devices.map((device) => {
    const name = resourceName(device);
    // Contain first: the device is cut off while the evidence is collected (Defender still reaches it).
    const isolation = contain
      ? new DeviceIsolation(name, {
          ...deviceTarget(device),
          comment: alert,
          waitForCompletion: true,
          completionTimeoutInMinutes: timeoutInMinutes,
        })
      : undefined;
    const after = isolation ? { dependsOn: [isolation] } : {};
    const collection = new InvestigationPackageCollection(
      name,
      {
        ...deviceTarget(device),
        comment: alert,
        triggers: [revision],
        waitForCompletion: true,
        completionTimeoutInMinutes: timeoutInMinutes,
      },
      after,
    );
    const pulled =
      files.length > 0
        ? new LiveResponseFileCollection(
            name,
            {
              ...deviceTarget(device),
              comment: alert,
              paths: files,
              triggers: [revision],
              ...destination,
              timeoutInMinutes,
            },
            after,
          )
        : undefined;
    const download = new InvestigationPackageDownload(name, {
      actionId: collection.actionId,
      ...destination,
      timeoutInMinutes,
    });
    const collected = pulumi.all([
      collection.machineId,
      collection.actionId,
      collection.status,
      collection.requestor,
      collection.creationDateTimeUtc,
    ]);
    const downloaded = pulumi.all([
      download.computerDnsName,
      download.sha256,
      download.sizeInBytes,
      download.path,
      download.manifestPath,
      download.downloadedAt,
    ]);
    const blobs = pulumi.all([download.blobUrl, download.manifestUrl, download.fileStatus]);
    const response = pulumi.all([isolation?.isolated ?? false, pulled?.files ?? []]);
    return pulumi.all([collected, downloaded, blobs, response]).apply(
      ([
        [machineId, actionId, status, requestor, collectedAt],
        [computerDnsName, sha256, sizeInBytes, path, manifestPath, downloadedAt],
        [blobUrl, manifestUrl, fileStatus],
        [isolated, pulledFiles],
      ]) =>
        ({
          device,
          computerDnsName: computerDnsName ?? "",
          machineId,
          actionId,
          status,
          requestor: requestor ?? "",
          collectedAt,
          sha256,
          sizeInBytes,
          path: path ?? "",
          manifestPath: manifestPath ?? "",
          blobUrl: blobUrl ?? "",
          manifestUrl: manifestUrl ?? "",
          downloadedAt,
          fileStatus,
          isolated,
          files: pulledFiles.map((f) => ({
            path: f.path,
            status: f.status,
            sha256: f.sha256 ?? "",
            storedAt: f.localPath ?? f.blobUrl ?? "",
          })),
        }) satisfies CustodyRow,
    );
  });
  return { custody: pulumi.all(rows) };
}
