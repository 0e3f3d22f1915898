/**
 * The evidence chain: collect the lab VM's investigation package with Defender for Endpoint once,
 * wait for it, and download it with its hash and manifest straight into the WORM evidence container
 * (under `<incidentId>/`), after its immutability policy and the writer's role are in place.
 */
import * as pulumi from "@pulumi/pulumi";
import { InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";

/** What {@link evidenceChain} declares. */
export interface EvidenceChain {
  collection: InvestigationPackageCollection;
  download: InvestigationPackageDownload;
}

/** Declares the collection (targeting the VM by its computer name) and the download of its package. */
export function evidenceChain(args: {
  incidentId: string;
  computerName: pulumi.Input<string>;
  deviceWaitInMinutes: number;
  completionTimeoutInMinutes: number;
  collectionRevision: string;
  /** The evidence container's URL (the vault's `containerUrl`). */
  blobContainerUrl: pulumi.Input<string>;
  /** What must exist before collecting: the VM's Defender extension (the device onboards through it). */
  dependsOn: pulumi.Input<pulumi.Resource>[];
  /**
   * What must exist before downloading: the container's immutability policy (the download refuses a
   * container without one) and the writer's role assignment.
   */
  downloadDependsOn: pulumi.Input<pulumi.Resource>[];
}): EvidenceChain {
  const collection = new InvestigationPackageCollection(
    `${args.incidentId}-lab-vm`,
    {
      // The VM's Windows name is its Defender device name; the ID is looked up when collecting, after
      // waiting for the freshly booted VM to appear in Defender.
      computerDnsName: args.computerName,
      deviceWaitInMinutes: args.deviceWaitInMinutes,
      comment: pulumi.interpolate`${args.incidentId}: purple-team exercise lab, investigation package of ${args.computerName}`,
      triggers: [args.collectionRevision],
      waitForCompletion: true,
      completionTimeoutInMinutes: args.completionTimeoutInMinutes,
    },
    { dependsOn: args.dependsOn },
  );
  // requireImmutableStorage stays at its default (true): the package is written only into a container
  // under an immutability policy, checked before any package link is fetched.
  const download = new InvestigationPackageDownload(
    `${args.incidentId}-lab-vm-package`,
    {
      actionId: collection.id,
      blobContainerUrl: args.blobContainerUrl,
      blobPrefix: `${args.incidentId}/`,
      timeoutInMinutes: args.completionTimeoutInMinutes,
    },
    { dependsOn: args.downloadDependsOn },
  );
  return { collection, download };
}
