/**
 * The responses of the GitOps example: how a reviewed list of tickets and devices becomes collections.
 */
import * as pulumi from "@pulumi/pulumi";
import { InvestigationPackageCollection } from "pulumi-mde";

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

/** Declares the collections of every response in `gitops:responses`. */
export function respond(
  responses: Response[],
): pulumi.Output<Record<string, { actionId: string; status: string }>> {
  const collections: InvestigationPackageCollection[] = [];
  for (const response of responses) {
    for (const device of response.devices) {
      collections.push(
        new InvestigationPackageCollection(collectionName(response.ticket, device), {
          ...(device.machineId ? { machineId: device.machineId } : {}),
          ...(device.computerDnsName ? { computerDnsName: device.computerDnsName } : {}),
          comment: `${response.ticket}: ${response.reason}`,
          triggers: [String(response.revision ?? 1)],
        }),
      );
    }
  }
  return pulumi
    .all(collections.map((c) => pulumi.all([c.urn, c.actionId, c.status])))
    .apply((rows) =>
      Object.fromEntries(
        rows.map(([urn, actionId, status]) => [urn.split("::").pop() ?? urn, { actionId, status }]),
      ),
    );
}
