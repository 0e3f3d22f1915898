/**
 * The responses of the GitOps example: how a reviewed list of tickets and devices becomes collections,
 * and each collection's package a blob in the evidence container (the runner's disk does not outlive
 * the job).
 */
import * as pulumi from "@pulumi/pulumi";
import { InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";

/** One device of a response: by Defender device ID or by computer name. */
export interface DeviceRef {
  machineId?: string;
  computerDnsName?: string;
}

/** One response: a ticket, why, and the devices to collect from. */
export interface Response {
  ticket: string;
  reason: string;
  devices: DeviceRef[];
  /** Bump to collect again from every device of this response. */
  revision?: string | number;
}

/** The name of a device's collection within a response: stable across runs, readable in previews. */
export function collectionName(ticket: string, device: DeviceRef): string {
  const who = device.computerDnsName?.split(".")[0] ?? device.machineId?.slice(0, 12) ?? "unknown";
  return `${ticket}-${who}`.toLowerCase();
}

/** Where the packages go: a blob container, each response's blobs under `<ticket>/`. */
export interface EvidenceContainer {
  /** `gitops:evidenceContainerUrl`, e.g. `https://<account>.blob.core.windows.net/evidence`. */
  containerUrl: string;
  /** `gitops:requireImmutableStorage`: false only for a test container. @default true */
  requireImmutableStorage?: boolean;
}

/** One downloaded package: its blob and hash. */
export interface EvidenceRow {
  blobUrl: string;
  manifestUrl: string;
  sha256: string;
  sizeInBytes: number;
}

/** The blob name prefix of a response: its ticket, so one incident's evidence sits together. */
export function evidencePrefix(ticket: string): string {
  return `${ticket}/`;
}

/**
 * Declares the downloads of the collections into the evidence container.
 * @returns one row per collection, by collection name
 */
export function storeEvidence(
  collections: { name: string; ticket: string; collection: InvestigationPackageCollection }[],
  container: EvidenceContainer,
): pulumi.Output<Record<string, EvidenceRow>> {
  const rows = collections.map(({ name, ticket, collection }) => {
    const download = new InvestigationPackageDownload(name, {
      actionId: collection.actionId,
      blobContainerUrl: container.containerUrl,
      blobPrefix: evidencePrefix(ticket),
      ...(container.requireImmutableStorage === undefined
        ? {}
        : { requireImmutableStorage: container.requireImmutableStorage }),
    });
    return pulumi
      .all([download.blobUrl, download.manifestUrl, download.sha256, download.sizeInBytes])
      .apply(([blobUrl, manifestUrl, sha256, sizeInBytes]): [string, EvidenceRow] => [
        name,
        { blobUrl: blobUrl ?? "", manifestUrl: manifestUrl ?? "", sha256, sizeInBytes },
      ]);
  });
  return pulumi.all(rows).apply((entries) => Object.fromEntries(entries));
}

/** What {@link respond} declares: the collections and, with a container, their evidence. */
export interface Responded {
  collections: pulumi.Output<Record<string, { actionId: string; status: string }>>;
  /** Present when an evidence container is configured. */
  evidence?: pulumi.Output<Record<string, EvidenceRow>>;
}

/**
 * Declares the collections of every response in `gitops:responses` and, when `container` is given,
 * the download of each package into it.
 */
export function respond(responses: Response[], container?: EvidenceContainer): Responded {
  const declared: { name: string; ticket: string; collection: InvestigationPackageCollection }[] = [];
  for (const response of responses) {
    for (const device of response.devices) {
      const name = collectionName(response.ticket, device);
      const collection = new InvestigationPackageCollection(name, {
        ...(device.machineId ? { machineId: device.machineId } : {}),
        ...(device.computerDnsName ? { computerDnsName: device.computerDnsName } : {}),
        comment: `${response.ticket}: ${response.reason}`,
        triggers: [String(response.revision ?? 1)],
      });
      declared.push({ name, ticket: response.ticket, collection });
    }
  }
  const collections = declared.map((d) => d.collection);
  const table = pulumi
    .all(collections.map((c) => pulumi.all([c.urn, c.actionId, c.status])))
    .apply((rows) =>
      Object.fromEntries(
        rows.map(([urn, actionId, status]) => [urn.split("::").pop() ?? urn, { actionId, status }]),
      ),
    );
  return container
    ? { collections: table, evidence: storeEvidence(declared, container) }
    : { collections: table };
}
