/**
 * The purple-team exercise lab, whole: a resource group with a private network, a Windows VM onboarded
 * to Defender for Endpoint, Defender for Servers on the subscription, a WORM evidence container, and
 * the VM's investigation package collected and downloaded with pulumi-mde.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { defenderForServers } from "./defenderForServers";
import { type EvidenceChain, evidenceChain } from "./evidenceChain";
import { type EvidenceVault, evidenceVault } from "./evidenceVault";
import type { LabConfig } from "./labConfig";
import { type LabNetwork, labNetwork } from "./labNetwork";
import { type LabVirtualMachine, labVirtualMachine } from "./labVirtualMachine";
import { mdeExtension } from "./mdeExtension";
import { type FetchLike, fetchWindowsOnboardingPackage } from "./mdeOnboardingPackage";

/** Stack outputs of the lab. */
export interface ExerciseLabOutputs {
  resourceGroupName: pulumi.Output<string>;
  vmName: pulumi.Output<string>;
  computerName: pulumi.Output<string>;
  vmPrivateIpAddress: pulumi.Output<string | undefined>;
  storageAccountName: pulumi.Output<string>;
  evidenceContainerName: pulumi.Output<string>;
  /** The WORM container the package is downloaded into. */
  evidenceContainerUrl: pulumi.Output<string>;
  immutabilityDays: pulumi.Output<number | undefined>;
  collectionActionId: pulumi.Output<string>;
  collectionStatus: pulumi.Output<string>;
  machineId: pulumi.Output<string>;
  /** The package's blob in the WORM container. */
  packageBlobUrl: pulumi.Output<string | undefined>;
  packageSha256: pulumi.Output<string>;
  /** The manifest's blob beside it. */
  manifestBlobUrl: pulumi.Output<string | undefined>;
  /** What protects the blob, as the download read it from the container (e.g. `container immutability policy`). */
  evidenceRetention: pulumi.Output<string | undefined>;
}

/** Everything the lab declares, for tests and for programs that build on it. */
export interface ExerciseLab {
  resourceGroup: resources.ResourceGroup;
  network: LabNetwork;
  machine: LabVirtualMachine;
  /** Absent with `lab:manageDefenderPlan false`. */
  defenderPlan: ReturnType<typeof defenderForServers> | undefined;
  mdeExtension: ReturnType<typeof mdeExtension>;
  vault: EvidenceVault;
  evidence: EvidenceChain;
  outputs: ExerciseLabOutputs;
}

/** Seams for tests: the `fetch` that reads the onboarding package. */
export interface ExerciseLabOptions {
  fetch?: FetchLike;
}

/** Declares the lab from its config. */
export function exerciseLab(config: LabConfig, options: ExerciseLabOptions = {}): ExerciseLab {
  const { location } = config;
  const tags = {
    purpose: "purple-team-exercise-lab",
    incident: config.incidentId,
    "managed-by": "pulumi",
  };
  const resourceGroup = new resources.ResourceGroup("exercise-lab", { location, tags });
  const resourceGroupName = resourceGroup.name;

  const network = labNetwork({ resourceGroupName, location, tags });
  const machine = labVirtualMachine({
    resourceGroupName,
    location,
    tags,
    subnetId: network.subnet.id,
    vmSize: config.vmSize,
    computerName: config.computerName,
    adminUsername: config.adminUsername,
    adminPassword: config.adminPassword,
  });

  const clientConfig = authorization.getClientConfigOutput();
  const defenderPlan = config.manageDefenderPlan
    ? defenderForServers({ subscriptionId: clientConfig.subscriptionId, plan: config.defenderPlan })
    : undefined;

  // The package from config, or Defender for Cloud's, read once the plan is on (it connects the tenant).
  const onboardingPackage =
    config.onboardingPackage !== undefined
      ? pulumi.secret(config.onboardingPackage)
      : pulumi.secret(
          pulumi
            .all([
              clientConfig.subscriptionId,
              authorization.getClientTokenOutput().token,
              defenderPlan ? defenderPlan.id : "",
            ])
            .apply(([subscriptionId, armToken]) =>
              fetchWindowsOnboardingPackage({
                subscriptionId,
                armToken,
                ...(options.fetch ? { fetch: options.fetch } : {}),
              }),
            ),
        );

  const extension = mdeExtension({
    resourceGroupName,
    location,
    tags,
    vmName: machine.vm.name,
    vmId: machine.vm.id,
    onboardingPackage,
    dependsOn: defenderPlan ? [defenderPlan] : [],
  });

  const vault = evidenceVault({
    resourceGroupName,
    location,
    tags,
    immutabilityDays: config.immutabilityDays,
    subscriptionId: clientConfig.subscriptionId,
    writerPrincipalId: config.evidenceWriterPrincipalId ?? clientConfig.objectId,
  });

  const evidence = evidenceChain({
    incidentId: config.incidentId,
    computerName: machine.computerName,
    deviceWaitInMinutes: config.deviceWaitInMinutes,
    completionTimeoutInMinutes: config.completionTimeoutInMinutes,
    collectionRevision: config.collectionRevision,
    blobContainerUrl: vault.containerUrl,
    dependsOn: [extension],
    downloadDependsOn: [vault.immutabilityPolicy, vault.writerRole],
  });

  return {
    resourceGroup,
    network,
    machine,
    defenderPlan,
    mdeExtension: extension,
    vault,
    evidence,
    outputs: {
      resourceGroupName,
      vmName: machine.vm.name,
      computerName: machine.computerName,
      vmPrivateIpAddress: machine.networkInterface.ipConfigurations.apply(
        (configs) => configs?.[0]?.privateIPAddress,
      ),
      storageAccountName: vault.account.name,
      evidenceContainerName: vault.container.name,
      evidenceContainerUrl: vault.containerUrl,
      immutabilityDays: vault.immutabilityPolicy.immutabilityPeriodSinceCreationInDays,
      collectionActionId: evidence.collection.actionId,
      collectionStatus: evidence.collection.status,
      machineId: evidence.collection.machineId,
      packageBlobUrl: evidence.download.blobUrl,
      packageSha256: evidence.download.sha256,
      manifestBlobUrl: evidence.download.manifestUrl,
      evidenceRetention: evidence.download.retention.apply((r) => r?.summary),
    },
  };
}
