/**
 * What the blob-destination engine tests share: Azurite beside the emulator (its certificate signed by the
 * emulator's CA, so the stack's `mde:caCertPath` trusts both), a program that collects from each device
 * and downloads each package into a container, a private temp folder for the provider (to prove nothing
 * stays on local disk), and the checks of a container against what the emulator served.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { ExecutionContext } from "ava";
import { InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { type Azurite, REPO_ROOT, startAzurite } from "pulumi-mde-harness";

/** The container every vault test writes into. */
export const VAULT_CONTAINER = "evidence";

/** Starts Azurite for `em` with a fresh `evidence` container; stopped at the test's end. */
export async function startVault(
  t: ExecutionContext,
  em: Emulator,
): Promise<{ azurite: Azurite; containerUrl: string }> {
  const azurite = await startAzurite({ caFrom: em });
  t.teardown(() => azurite.stop());
  const containerUrl = await azurite.createContainer(VAULT_CONTAINER);
  return { azurite, containerUrl };
}

/** A fresh folder for the provider's `TMPDIR`, removed after the test: what is left in it was left behind. */
export function providerTempFolder(t: ExecutionContext): string {
  const parent = path.join(REPO_ROOT, ".tmp", "provider-tmp");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "run-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Files and folders left in `dir` (recursively). */
export function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}

/** Options of {@link vaultProgram}. */
export interface VaultProgramOptions {
  /** `blobPrefix` of every download. @default none */
  blobPrefix?: string;
  /**
   * `requireImmutableStorage` of every download; give the key with `undefined` to leave it unset.
   * @default false (Azurite has no immutability)
   */
  requireImmutableStorage?: boolean;
  /** Declare the downloads (false keeps only the collections). @default true */
  withDownloads?: boolean;
}

/**
 * A program that collects from each device (`device-<i>`) and downloads each package into the container
 * (`package-<i>`), exporting `ids`, `blobUrls`, `manifestUrls`, `sha256s`, `statuses` and `retentions`.
 */
export function vaultProgram(
  ids: string[],
  containerUrl: string,
  options: VaultProgramOptions = {},
): PulumiFn {
  return async () => {
    const collections = ids.map(
      (machineId, i) =>
        new InvestigationPackageCollection(`device-${i}`, {
          machineId,
          comment: `IR-4711: evidence of device ${i}`,
        }),
    );
    if (options.withDownloads === false) return { ids: collections.map((c) => c.id) };
    const downloads = collections.map(
      (collection, i) =>
        new InvestigationPackageDownload(`package-${i}`, {
          actionId: collection.id,
          blobContainerUrl: containerUrl,
          // A key given as undefined leaves the input unset (the resource's default, true).
          requireImmutableStorage:
            "requireImmutableStorage" in options ? options.requireImmutableStorage : false,
          ...(options.blobPrefix !== undefined ? { blobPrefix: options.blobPrefix } : {}),
        }),
    );
    return {
      ids: collections.map((c) => c.id),
      blobUrls: downloads.map((d) => d.blobUrl),
      manifestUrls: downloads.map((d) => d.manifestUrl),
      sha256s: downloads.map((d) => d.sha256),
      statuses: downloads.map((d) => d.fileStatus),
      retentions: downloads.map((d) => d.retention),
    };
  };
}

/**
 * Asserts that the container holds exactly one package blob per action (under `prefix`), each hashing to
 * what the emulator served with that digest in its metadata, and a manifest blob beside each recording it.
 */
export async function assertVault(
  t: ExecutionContext,
  em: Emulator,
  azurite: Azurite,
  actionIds: string[],
  prefix = "",
): Promise<void> {
  const blobs = await azurite.listBlobs(VAULT_CONTAINER);
  const zips = blobs.filter((b) => b.name.endsWith(".zip"));
  const manifests = blobs.filter((b) => b.name.endsWith(".manifest.json"));
  t.is(zips.length, actionIds.length, "one package blob per action");
  t.is(manifests.length, actionIds.length, "one manifest blob per package");
  t.is(blobs.length, zips.length + manifests.length, "nothing else in the container");
  for (const actionId of actionIds) {
    const zip = zips.find((b) => b.name.endsWith(`-${actionId}.zip`));
    t.truthy(zip, `a blob for ${actionId}`);
    if (!zip) continue;
    t.true(zip.name.startsWith(prefix), `${zip.name} starts with ${prefix}`);
    const content = await azurite.readBlob(VAULT_CONTAINER, zip.name);
    const sha256 = createHash("sha256").update(content.bytes).digest("hex");
    t.is(sha256, await em.packageSha256(actionId), `${zip.name} holds what the emulator served`);
    t.like(content.metadata, { sha256, actionid: actionId });
    const manifestName = zip.name.replace(/\.zip$/, ".manifest.json");
    const manifest = JSON.parse(
      (await azurite.readBlob(VAULT_CONTAINER, manifestName)).bytes.toString("utf8"),
    ) as {
      package: { sha256: string; sizeInBytes: number };
      action: { id: string };
    };
    t.like(manifest, { package: { sha256, sizeInBytes: content.bytes.length }, action: { id: actionId } });
  }
}

/** A JWT (a bearer token of any audience): never in state or output. */
export const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
