/**
 * What the download engine tests share: a program that collects from each device and downloads each
 * package, a fresh evidence folder, the checks of a folder against what the emulator served, and the
 * patterns a package link would leave in any text.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { ExecutionContext } from "ava";
import { InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { REPO_ROOT } from "pulumi-mde-harness";

/** Emulated seconds per real second: a collection takes 1.5 s, a link-budget minute 0.5 s. */
export const EVIDENCE_TIME_SCALE = 120;
/** Collection lifecycle of the download tests, in emulated seconds. */
export const EVIDENCE_LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

/** A fresh evidence folder under the repository's `.tmp`, removed after the test. */
export function evidenceFolder(t: ExecutionContext): string {
  const parent = path.join(REPO_ROOT, ".tmp", "evidence");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "run-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Options of {@link evidenceProgram}. */
export interface EvidenceProgramOptions {
  /** `timeoutInMinutes` of every download. @default the resource's default */
  timeoutInMinutes?: number;
}

/**
 * A program that collects from each device (`device-<i>`) and downloads each package into `directory`
 * (`package-<i>`), exporting the collections' IDs as `ids`, and the paths and digests as `paths`, `sha256s`.
 */
export function evidenceProgram(
  ids: string[],
  directory: string,
  options: EvidenceProgramOptions = {},
): PulumiFn {
  return async () => {
    const downloads = ids.map((machineId, i) => {
      const collection = new InvestigationPackageCollection(`device-${i}`, {
        machineId,
        comment: `IR-2000: evidence of device ${i}`,
      });
      return new InvestigationPackageDownload(`package-${i}`, {
        actionId: collection.id,
        directory,
        ...(options.timeoutInMinutes !== undefined ? { timeoutInMinutes: options.timeoutInMinutes } : {}),
      });
    });
    return {
      ids: downloads.map((d) => d.actionId),
      paths: downloads.map((d) => d.path),
      sha256s: downloads.map((d) => d.sha256),
      statuses: downloads.map((d) => d.fileStatus),
    };
  };
}

/** The `.zip` and `.manifest.json` files of `directory`, and anything else (temporary files). */
export function folderContents(directory: string): { zips: string[]; manifests: string[]; other: string[] } {
  const names = readdirSync(directory).sort();
  return {
    zips: names.filter((n) => n.endsWith(".zip")),
    manifests: names.filter((n) => n.endsWith(".manifest.json")),
    other: names.filter((n) => !n.endsWith(".zip") && !n.endsWith(".manifest.json")),
  };
}

/**
 * Asserts that `directory` holds exactly one package per action, each with the SHA-256 the emulator
 * served and a manifest beside it that records the same digest and the action, and nothing else.
 */
export async function assertEvidence(
  t: ExecutionContext,
  em: Emulator,
  directory: string,
  actionIds: string[],
): Promise<void> {
  const { zips, manifests, other } = folderContents(directory);
  t.deepEqual(other, [], "no temporary or stray files");
  t.is(zips.length, actionIds.length, "one zip per action");
  t.is(manifests.length, actionIds.length, "one manifest per zip");
  for (const actionId of actionIds) {
    const zip = zips.find((z) => z.endsWith(`-${actionId}.zip`));
    t.truthy(zip, `a zip for ${actionId}`);
    if (!zip) continue;
    const bytes = readFileSync(path.join(directory, zip));
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    t.is(sha256, await em.packageSha256(actionId), `${zip} holds what the emulator served`);
    const manifestFile = path.join(directory, zip.replace(/\.zip$/, ".manifest.json"));
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as {
      package: { sha256: string; sizeInBytes: number; fileName: string };
      action: { id: string };
    };
    t.like(manifest, {
      package: { sha256, sizeInBytes: bytes.length, fileName: zip },
      action: { id: actionId },
    });
  }
}

/**
 * Patterns a package link would leave: its signature parameter with a value, or its path (the whole link
 * is the secret). Applied to state, engine output and error text.
 */
export const LINK_PATTERNS: readonly RegExp[] = [
  /\bsig=(?!REDACTED)[A-Za-z0-9%+/=]{8,}/,
  /investigation-packages\/[0-9a-f-]{36}\.zip/i,
  /\bse=\d{4}-\d\d-\d\dT/,
];

/** Names of the texts in which a link pattern appears (never the match itself). */
export function linkHits(texts: Record<string, string>): string[] {
  return Object.entries(texts)
    .filter(([, text]) => LINK_PATTERNS.some((p) => p.test(text)))
    .map(([name]) => name);
}

/** Start times (ms) of GetPackageUri calls: asserts at most `limit` in any window of `windowMs`. */
export function maxInWindow(startTimes: number[], windowMs: number): number {
  const sorted = [...startTimes].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0; i < sorted.length; i++) {
    let n = 0;
    for (let j = i; j < sorted.length && (sorted[j] as number) < (sorted[i] as number) + windowMs; j++) n++;
    max = Math.max(max, n);
  }
  return max;
}
