/**
 * The provider plugin `pulumi-resource-mde` (package `mde`) on `@pulumi/pulumi/provider`: every resource
 * of the package and `getMachines`, for programs in any Pulumi language and for `pulumi import`.
 *
 * It holds no resource logic: each method hands the call to the same provider object the TypeScript
 * SDK's dynamic resources run on (collectionProvider, downloadProvider, isolationProvider,
 * liveResponseFileCollectionProvider), adding only what those resources' SDK classes add in the program:
 * `pulumiStack` and `resourceName` (from the URN), and a `directory` made absolute. Secret inputs stay
 * secret (rpcSecrets.ts); settings come from `PULUMI_CONFIG` (pluginConfig.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { DefenderError } from "../core/errors";
import {
  collectionProvider,
  downloadProvider,
  isolationProvider,
  liveResponseFileCollectionProvider,
} from "../provider";
import type { ActionProvider } from "../resources/shared/actionProvider";
import { UNKNOWN_VALUE } from "../resources/shared/inputChecks";
import { surfaceError } from "../resources/shared/surfaceError";
import { invokeGetMachines } from "./getMachinesInvoke";
import { readImportedCollection } from "./importedCollection";
import { parseUrn } from "./resourceUrn";
import { unwrapSecrets, wrapSecrets } from "./rpcSecrets";

/** The repository or package root: dist/src/plugin/ is three levels below it. */
const PACKAGE_ROOT = path.resolve(__dirname, "..", "..", "..");

/** One resource type: its provider, the inputs its SDK class adds, and how `pulumi import` treats it. */
interface ResourceKind {
  provider: ActionProvider;
  /** Inputs the SDK class adds from the program's context. */
  identity: ReadonlyArray<"pulumiStack" | "resourceName">;
  /** Its `directory` input is a path the SDK class makes absolute. */
  directory: boolean;
  /** Why it cannot be imported; absent: it can. */
  noImport?: string;
}

/** Every resource type the plugin serves, by schema token. */
export const RESOURCE_KINDS: Readonly<Record<string, ResourceKind>> = {
  "mde:index:InvestigationPackageCollection": {
    provider: collectionProvider,
    identity: ["pulumiStack", "resourceName"],
    directory: false,
  },
  "mde:index:InvestigationPackageDownload": {
    provider: downloadProvider,
    identity: ["pulumiStack"],
    directory: true,
    noImport:
      "its state is the package it downloaded and proved (file, SHA-256, manifest), which only a download can produce. Declare it with the collection's actionId and its destination instead: `pulumi up` downloads and proves the package (the collection itself can be imported).",
  },
  "mde:index:DeviceIsolation": {
    provider: isolationProvider,
    identity: ["pulumiStack", "resourceName"],
    directory: false,
    noImport:
      "an isolation lasts as long as its resource and is released on delete, which an imported action would not promise. Declare it instead: an isolation already pending on the device is taken over, and a device already isolated stays so.",
  },
  "mde:index:LiveResponseFileCollection": {
    provider: liveResponseFileCollectionProvider,
    identity: ["pulumiStack", "resourceName"],
    directory: true,
    noImport:
      "its state is the files it stored and proved, which only the collection itself records. Declare it instead.",
  },
};

function kindOf(urn: string): { kind: ResourceKind; token: string } {
  const { type } = parseUrn(urn);
  const kind = RESOURCE_KINDS[type];
  if (!kind) throw new Error(`unknown resource type ${type}`);
  return { kind, token: type };
}

/** The inputs the SDK classes add: `project/stack` and the resource's name, from its URN. */
function identityOf(kind: ResourceKind, urn: string): Record<string, string> {
  const { stack, project, name } = parseUrn(urn);
  const values = { pulumiStack: `${project}/${stack}`, resourceName: name };
  return Object.fromEntries(kind.identity.map((key) => [key, values[key]]));
}

/** A call's failure as the engine shows it: one paragraph ending in its code (a partial failure passed on). */
async function surfaced<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw surfaceError(error);
  }
}

/** The plugin's provider: the package's schema and every resource method, delegated. */
export const mdeProvider: pulumi.provider.Provider = {
  version: (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string })
    .version,

  async getSchema() {
    return readFileSync(path.join(PACKAGE_ROOT, "schema.json"), "utf8");
  },

  async check(urn, olds, news) {
    const { kind } = kindOf(urn);
    const { plain, secretKeys } = unwrapSecrets(news);
    const inputs: Record<string, unknown> = { ...plain, ...identityOf(kind, urn) };
    // A relative folder is taken from the program's directory, where the engine starts this plugin.
    const dir = inputs.directory;
    if (kind.directory && typeof dir === "string" && dir.trim() !== "" && dir !== UNKNOWN_VALUE) {
      inputs.directory = path.resolve(dir);
    }
    const checked = await kind.provider.check(unwrapSecrets(olds).plain, inputs);
    return { inputs: wrapSecrets(checked.inputs ?? inputs, secretKeys), failures: checked.failures ?? [] };
  },

  async diff(id, urn, olds, news) {
    return kindOf(urn).kind.provider.diff(id, unwrapSecrets(olds).plain, unwrapSecrets(news).plain);
  },

  async create(urn, inputs) {
    const { plain, secretKeys } = unwrapSecrets(inputs);
    const created = await kindOf(urn).kind.provider.create(plain);
    return { id: created.id, outs: wrapSecrets(created.outs ?? {}, secretKeys) };
  },

  async read(id, urn, props) {
    const { kind, token } = kindOf(urn);
    const { plain, secretKeys } = unwrapSecrets(props);
    if (Object.keys(plain).length === 0) {
      // No state yet: `pulumi import` (a refresh always passes the stored outputs).
      if (kind.noImport) {
        throw surfaceError(
          new DefenderError("MDE_IMPORT_UNSUPPORTED", `${token} cannot be imported: ${kind.noImport}`),
        );
      }
      return surfaced(() => readImportedCollection(kind.provider, id, identityOf(kind, urn)));
    }
    const read = await kind.provider.read(id, plain);
    return { ...read, props: wrapSecrets(read.props ?? {}, secretKeys) };
  },

  async update(id, urn, olds, news) {
    const { plain, secretKeys } = unwrapSecrets(news);
    const updated = await kindOf(urn).kind.provider.update(id, unwrapSecrets(olds).plain, plain);
    return { outs: wrapSecrets(updated.outs ?? {}, secretKeys) };
  },

  async delete(id, urn, props) {
    await kindOf(urn).kind.provider.delete(id, unwrapSecrets(props).plain);
  },

  async invoke(token, inputs) {
    if (token !== "mde:index:getMachines") throw new Error(`unknown function ${token}`);
    return { outputs: await surfaced(() => invokeGetMachines(unwrapSecrets(inputs).plain)) };
  },
};
