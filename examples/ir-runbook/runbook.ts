/**
 * An incident-response runbook as a Pulumi program: collect an investigation package from every device
 * named in config (by Defender device ID or computer name) and every device carrying the incident's
 * tag, once; wait for each; download each package with its hash and manifest into an evidence folder;
 * export a chain-of-custody table.
 *
 * ```sh
 * pulumi config set runbook:alert "IR-4711: ransomware behaviour on the finance floor (alert 1234)"
 * pulumi config set --path 'runbook:devices[0]' ws-042.contoso.local
 * pulumi config set --path 'runbook:devices[1]' 1e5bc9d7e413ddd7902c2932e418702b84d0cc07
 * pulumi config set runbook:tag incident-4711          # optional: every device with this tag too
 * pulumi config set runbook:evidenceDirectory ./evidence
 * pulumi up                                            # collects once per device, downloads
 * pulumi config set runbook:revision 2 && pulumi up    # collects again, on purpose
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import { getMachines, InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";

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
  downloadedAt: string;
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

/** Declares the runbook from the `runbook:*` config. */
export async function runbook(): Promise<RunbookOutputs> {
  const config = new pulumi.Config("runbook");
  const alert = config.require("alert");
  const named = config.getObject<string[]>("devices") ?? [];
  const tag = config.get("tag");
  const evidenceDirectory = config.get("evidenceDirectory") ?? "evidence";
  // Bumping the revision replaces every collection: a deliberate second collection.
  const revision = config.get("revision") ?? "1";
  const timeoutInMinutes = config.getNumber("timeoutInMinutes") ?? 60;

  // Tagged devices are looked up when the program runs: a device tagged later joins the next `up`.
  const tagged = tag ? (await getMachines({ tag })).machines.map((m) => m.id) : [];
  const devices = [...new Set([...named.map((d) => d.trim().toLowerCase()), ...tagged])];
  if (devices.length === 0) {
    throw new Error("runbook: no device: set runbook:devices (IDs or computer names) or runbook:tag.");
  }

  const rows = devices.map((device) => {
    const name = resourceName(device);
    const collection = new InvestigationPackageCollection(name, {
      ...deviceTarget(device),
      comment: alert,
      triggers: [revision],
      waitForCompletion: true,
      completionTimeoutInMinutes: timeoutInMinutes,
    });
    const download = new InvestigationPackageDownload(name, {
      actionId: collection.actionId,
      directory: evidenceDirectory,
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
    return pulumi.all([collected, downloaded]).apply(
      ([
        [machineId, actionId, status, requestor, collectedAt],
        [computerDnsName, sha256, sizeInBytes, path, manifestPath, downloadedAt],
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
          path,
          manifestPath,
          downloadedAt,
        }) satisfies CustodyRow,
    );
  });
  return { custody: pulumi.all(rows) };
}
