/**
 * Pulumi's mocks for the lab's tests: every resource registration (Azure's and pulumi-mde's dynamic
 * ones alike) is recorded with its inputs and answered with the inputs as outputs, and the two
 * azure-native functions the lab calls answer with a fixed subscription and token. Nothing reaches
 * Azure or Defender.
 */
import * as pulumi from "@pulumi/pulumi";

/** The subscription the mocked `getClientConfig` reports. */
export const SUBSCRIPTION_ID = "00000000-1111-2222-3333-444444444444";
/** The token the mocked `getClientToken` returns. */
export const ARM_TOKEN = "mock-arm-token";
/** The MachineAction ID the mocked collection gets. */
export const COLLECTION_ACTION_ID = "7f3c2a1e-9b8d-4c6f-a5e4-3d2c1b0a9f8e";

/** One registered resource. */
export interface Registration {
  type: string;
  name: string;
  id: string;
  // biome-ignore lint/suspicious/noExplicitAny: inputs are whatever each resource declares
  inputs: Record<string, any>;
}

/** Resource types the lab declares. */
export const TYPES = {
  resourceGroup: "azure-native:resources:ResourceGroup",
  nsg: "azure-native:network:NetworkSecurityGroup",
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  nic: "azure-native:network:NetworkInterface",
  publicIp: "azure-native:network:PublicIPAddress",
  vm: "azure-native:compute:VirtualMachine",
  extension: "azure-native:compute:VirtualMachineExtension",
  pricing: "azure-native:security:Pricing",
  storageAccount: "azure-native:storage:StorageAccount",
  container: "azure-native:storage:BlobContainer",
  immutabilityPolicy: "azure-native:storage:BlobContainerImmutabilityPolicy",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  collection: "pulumi-nodejs:dynamic/mde:InvestigationPackageCollection",
  download: "pulumi-nodejs:dynamic/mde:InvestigationPackageDownload",
} as const;

/** What the mocks recorded. */
export interface MockedDeployment {
  registrations: Registration[];
  invokes: string[];
  /** The one registration of `type`; fails the test when there are none or several. */
  only(type: string): Registration;
  ofType(type: string): Registration[];
}

function mockId(type: string, name: string): string {
  if (type === TYPES.collection) return COLLECTION_ACTION_ID;
  if (type.startsWith("pulumi-nodejs:dynamic/")) return `/evidence/${name}.zip`;
  return `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/mock/providers/${type}/${name}`;
}

/**
 * Installs the mocks and sets the stack config (`lab:*` keys; `secretKeys` are stored as secrets).
 * Call before declaring anything.
 */
export function mockDeployment(config: Record<string, string>, secretKeys: string[] = []): MockedDeployment {
  const registrations: Registration[] = [];
  const invokes: string[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const id = mockId(args.type, args.name);
        registrations.push({ type: args.type, name: args.name, id, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs, name: args.inputs.name ?? args.name };
        if (args.type === TYPES.collection) {
          Object.assign(state, { actionId: id, status: "Succeeded", machineId: "a".repeat(40) });
        }
        if (args.type === TYPES.storageAccount) {
          // As Azure reports it: the account's blob endpoint, ending in a slash.
          Object.assign(state, {
            primaryEndpoints: { blob: `https://${state.name}.blob.core.windows.net/` },
          });
        }
        if (args.type === TYPES.download) {
          const blobUrl = `${args.inputs.blobContainerUrl}/${args.inputs.blobPrefix ?? ""}purple-ws-01-${COLLECTION_ACTION_ID}.zip`;
          Object.assign(state, {
            blobUrl,
            manifestUrl: blobUrl.replace(/\.zip$/, ".manifest.json"),
            sha256: "0".repeat(64),
            retention: { protected: true, summary: "container immutability policy" },
          });
        }
        return { id, state };
      },
      call(args) {
        invokes.push(args.token);
        switch (args.token) {
          case "azure-native:authorization:getClientConfig":
            return {
              subscriptionId: SUBSCRIPTION_ID,
              tenantId: "55555555-6666-7777-8888-999999999999",
              clientId: "client",
              objectId: "object",
            };
          case "azure-native:authorization:getClientToken":
            return { token: ARM_TOKEN };
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    "exercise-lab",
    "test",
    false,
  );
  pulumi.runtime.setAllConfig(config, secretKeys);
  const ofType = (type: string) => registrations.filter((r) => r.type === type);
  return {
    registrations,
    invokes,
    ofType,
    only(type) {
      const found = ofType(type);
      if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
      return found[0] as Registration;
    },
  };
}

/** Resolves when every output has a value: then every resource behind them has been registered. */
export function settled(outputs: pulumi.Input<unknown>[]): Promise<unknown[]> {
  return new Promise((resolve) => {
    pulumi.all(outputs).apply((values) => {
      resolve(values);
      return values;
    });
  });
}

/** The signature Pulumi puts on a secret value in what the mocks receive. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a value the mocks received was a secret. */
export function isSecret(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** The value inside a secret the mocks received (other values as they are). */
export function reveal(value: unknown): unknown {
  return isSecret(value) ? (value as { value: unknown }).value : value;
}
