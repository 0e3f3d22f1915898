/**
 * What the lab declares, checked with Pulumi's mocks (nothing is deployed): no way in over RDP, no
 * public IP, the Defender extension and plan, the WORM container with the configured retention, and
 * the evidence chain from the VM's computer name to the download of its package.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { exerciseLab } from "../src/exerciseLab";
import { readLabConfig } from "../src/labConfig";
import {
  COLLECTION_ACTION_ID,
  isSecret,
  mockDeployment,
  type Registration,
  reveal,
  SUBSCRIPTION_ID,
  settled,
  TYPES,
} from "./mockedDeployment";

const ONBOARDING_PACKAGE = "UEsDBBQAAAAIAG1vY2stb25ib2FyZGluZy1wYWNrYWdl";
const deployment = mockDeployment(
  {
    "lab:location": "westeurope",
    "lab:adminUsername": "purpleadmin",
    "lab:adminPassword": "Correct-Horse-Battery-9",
    "lab:incidentId": "IR-4711",
    "lab:evidenceWriterPrincipalId": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    "lab:immutabilityDays": "3",
    "lab:computerName": "purple-ws-01",
    "lab:defenderPlan": "P2",
    "lab:deviceWaitInMinutes": "45",
    "lab:onboardingPackage": ONBOARDING_PACKAGE,
  },
  ["lab:adminPassword", "lab:onboardingPackage"],
);

/** A rule's destination ports, as Azure reads `destinationPortRange(s)`. */
function ports(rule: Record<string, unknown>): string[] {
  const single = rule.destinationPortRange;
  const many = rule.destinationPortRanges;
  return [
    ...(typeof single === "string" ? [single] : []),
    ...(Array.isArray(many) ? (many as string[]) : []),
  ];
}

/** Whether a port expression (`*`, `3389`, `3000-4000`) includes `port`. */
function covers(expression: string, port: number): boolean {
  if (expression === "*") return true;
  const [low, high] = expression.split("-").map((p) => Number(p.trim()));
  if (low === undefined || Number.isNaN(low)) return false;
  return high === undefined ? low === port : low <= port && port <= (high ?? low);
}

describe("exercise lab (mocked deployment)", () => {
  let lab: ReturnType<typeof exerciseLab>;
  before(async () => {
    // The lab reads its settings through pulumi.Config, from the config the mocks were given.
    lab = exerciseLab(readLabConfig());
    const everything: pulumi.Resource[] = [
      lab.resourceGroup,
      lab.network.securityGroup,
      lab.network.virtualNetwork,
      lab.network.subnet,
      lab.machine.networkInterface,
      lab.machine.vm,
      lab.mdeExtension,
      lab.vault.account,
      lab.vault.container,
      lab.vault.immutabilityPolicy,
      lab.vault.writerRole,
      lab.evidence.collection,
      lab.evidence.download,
      ...(lab.defenderPlan ? [lab.defenderPlan] : []),
    ];
    await settled([...everything.map((r) => r.urn), ...Object.values(lab.outputs)]);
  });

  it("the NSG denies RDP (3389) from the Internet and has no inbound rule that allows it", () => {
    const nsg = deployment.only(TYPES.nsg);
    const rules = nsg.inputs.securityRules as Array<Record<string, unknown>>;
    const inboundRdp = rules.filter(
      (r) => r.direction === "Inbound" && ports(r).some((p) => covers(p, 3389)),
    );
    const deny = inboundRdp.find((r) => r.access === "Deny" && r.sourceAddressPrefix === "Internet");
    assert.ok(deny, "a Deny rule for 3389 from Internet");
    assert.equal(deny.protocol, "Tcp");
    assert.deepEqual(
      inboundRdp.filter((r) => r.access === "Allow"),
      [],
      "no inbound Allow rule covers 3389",
    );
    const subnet = deployment.only(TYPES.subnet);
    assert.equal(subnet.inputs.networkSecurityGroup?.id, nsg.id, "the NSG guards the VM's subnet");
  });

  it("the VM has no public IP: its only NIC has private addresses only, and no public IP exists", () => {
    assert.deepEqual(deployment.ofType(TYPES.publicIp), []);
    const nic = deployment.only(TYPES.nic);
    const ipConfigurations = nic.inputs.ipConfigurations as Array<Record<string, unknown>>;
    assert.ok(ipConfigurations.length > 0);
    for (const ip of ipConfigurations) assert.equal(ip.publicIPAddress, undefined);
    const subnetIds = ipConfigurations.map((ip) => (ip.subnet as { id?: string } | undefined)?.id);
    assert.deepEqual(subnetIds, [deployment.only(TYPES.subnet).id], "one address, in the lab's subnet");
    const vm = deployment.only(TYPES.vm);
    assert.deepEqual(
      (vm.inputs.networkProfile.networkInterfaces as Array<{ id: string }>).map((n) => n.id),
      [nic.id],
    );
    assert.ok(isSecret(vm.inputs.osProfile), "the profile holding the admin password is a secret");
    const osProfile = reveal(vm.inputs.osProfile) as Record<string, unknown>;
    assert.equal(osProfile.computerName, "purple-ws-01");
    assert.equal(osProfile.adminUsername, "purpleadmin");
    assert.equal(reveal(osProfile.adminPassword), "Correct-Horse-Battery-9");
    assert.equal(vm.inputs.hardwareProfile.vmSize, "Standard_B2s");
    assert.match(vm.inputs.storageProfile.imageReference.sku, /^2022-datacenter/);
  });

  it("the VM carries the MDE.Windows extension with its resource ID and the onboarding package", () => {
    const vm = deployment.only(TYPES.vm);
    const extension = deployment.only(TYPES.extension);
    assert.equal(extension.inputs.type, "MDE.Windows");
    assert.equal(extension.inputs.publisher, "Microsoft.Azure.AzureDefenderForServers");
    assert.equal(extension.inputs.typeHandlerVersion, "1.0");
    assert.equal(extension.inputs.vmName, vm.inputs.name ?? vm.name);
    assert.equal(extension.inputs.settings.azureResourceId, vm.id);
    assert.ok(isSecret(extension.inputs.protectedSettings), "the onboarding package is a secret");
    assert.deepEqual(reveal(extension.inputs.protectedSettings), {
      defenderForEndpointOnboardingScript: ONBOARDING_PACKAGE,
    });
  });

  it("Defender for Servers is on for the subscription: VirtualMachines, Standard, the configured sub-plan", () => {
    const pricing = deployment.only(TYPES.pricing);
    assert.equal(pricing.inputs.pricingName, "VirtualMachines");
    assert.equal(pricing.inputs.pricingTier, "Standard");
    assert.equal(pricing.inputs.subPlan, "P2");
    assert.equal(pricing.inputs.scopeId, `subscriptions/${SUBSCRIPTION_ID}`);
  });

  it("the evidence container is private and under a time-based immutability policy of the configured days", () => {
    const account = deployment.only(TYPES.storageAccount);
    assert.equal(account.inputs.allowBlobPublicAccess, false);
    assert.equal(account.inputs.allowSharedKeyAccess, false);
    const container = deployment.only(TYPES.container);
    assert.equal(container.inputs.publicAccess, "None");
    const policy = deployment.only(TYPES.immutabilityPolicy);
    assert.equal(policy.inputs.immutabilityPeriodSinceCreationInDays, 3);
    assert.equal(policy.inputs.containerName, container.inputs.containerName);
    assert.equal(policy.inputs.accountName, account.inputs.name ?? account.name);
  });

  it("the collection targets the VM's computer name, waits for the device and for completion", () => {
    const collection = deployment.only(TYPES.collection);
    assert.equal(collection.inputs.computerDnsName, "purple-ws-01");
    assert.equal(collection.inputs.machineId, undefined, "by name, not by a device ID known in advance");
    assert.ok(collection.inputs.deviceWaitInMinutes > 0);
    assert.equal(collection.inputs.deviceWaitInMinutes, 45);
    assert.equal(collection.inputs.waitForCompletion, true);
    assert.match(collection.inputs.comment, /^IR-4711: /);
  });

  it("the download takes the collection's action ID into the WORM container, under the incident", () => {
    const collection = deployment.only(TYPES.collection) as Registration;
    const download = deployment.only(TYPES.download);
    const account = deployment.only(TYPES.storageAccount);
    const container = deployment.only(TYPES.container);
    assert.equal(collection.id, COLLECTION_ACTION_ID);
    assert.equal(download.inputs.actionId, collection.id);
    const accountName = account.inputs.name ?? account.name;
    assert.equal(
      download.inputs.blobContainerUrl,
      `https://${accountName}.blob.core.windows.net/${container.inputs.containerName}`,
      "the vault's blob endpoint and container name",
    );
    assert.equal(download.inputs.blobPrefix, "IR-4711/");
    assert.equal(download.inputs.directory, undefined, "nothing is kept on the deploying machine");
    assert.notEqual(download.inputs.requireImmutableStorage, false, "immutability is required (the default)");
  });

  it("pulumi-mde's identity gets Storage Blob Data Contributor on the container only", () => {
    const role = deployment.only(TYPES.roleAssignment);
    const container = deployment.only(TYPES.container) as Registration;
    assert.equal(role.inputs.principalId, "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
    assert.equal(role.inputs.scope, container.id);
    assert.equal(
      role.inputs.roleDefinitionId,
      `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
      "Storage Blob Data Contributor",
    );
  });

  it("the stack outputs name the package's blob, its manifest blob and its retention", async () => {
    const outputs = await settled([
      lab.outputs.packageBlobUrl,
      lab.outputs.manifestBlobUrl,
      lab.outputs.evidenceRetention,
    ]);
    assert.match(String(outputs[0]), /^https:\/\/.+\.blob\.core\.windows\.net\/evidence\/IR-4711\/.+\.zip$/);
    assert.equal(outputs[1], String(outputs[0]).replace(/\.zip$/, ".manifest.json"));
    assert.equal(outputs[2], "container immutability policy");
  });

  it("every Azure resource of the lab is in the configured region, and nothing else is declared", () => {
    const located = deployment.registrations.filter((r) => r.inputs.location !== undefined);
    assert.ok(located.length >= 6);
    for (const r of located) assert.equal(r.inputs.location, "westeurope", `${r.type} ${r.name}`);
    const expected = new Set<string>(Object.values(TYPES));
    for (const r of deployment.registrations) assert.ok(expected.has(r.type), `unexpected ${r.type}`);
  });
});
