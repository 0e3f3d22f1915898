/**
 * What the live response engine tests share (healthy devices are Windows: `healthyIds`): a program that collects files from
 * each device (`files-<i>`) into a folder or a blob container, the sessions and result links the emulator
 * recorded, the checks of stored files against what the emulator's devices hold, and the patterns a result
 * link would leave in any text.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { ExecutionContext } from "ava";
import { type LiveResponseFile, LiveResponseFileCollection } from "pulumi-mde";
import { type Emulator, KNOWN_DEVICE_FILES } from "pulumi-mde-emulator";
import { callsOf } from "pulumi-mde-harness";
import { LINK_PATTERNS } from "./evidence";

/** Emulated seconds per real second: a session of three files takes about two seconds. */
export const LIVE_RESPONSE_TIME_SCALE = 120;
/** Lifecycle of the live response tests, in emulated seconds. */
export const LIVE_RESPONSE_LIFECYCLE = {
  pendingSeconds: 60,
  inProgressSeconds: 120,
  liveResponseCommandSeconds: 30,
};

/** Three files every emulated Windows device has: small, 24 KB and 256 KB. */
export const WINDOWS_PATHS = [
  KNOWN_DEVICE_FILES.windows.hosts,
  KNOWN_DEVICE_FILES.windows.prefetch,
  KNOWN_DEVICE_FILES.windows.securityLog,
];

/** Where a program keeps the files. */
export type FilesDestination =
  | { directory: string }
  | { blobContainerUrl: string; blobPrefix?: string; requireImmutableStorage?: boolean };

/**
 * Collects `paths` from each device (`files-<i>`), exporting `actionIds`, `statuses` and `files` (one array
 * of path records per device).
 */
export function filesProgram(ids: string[], destination: FilesDestination, paths: string[]): PulumiFn {
  return async () => {
    const collections = ids.map(
      (machineId, i) =>
        new LiveResponseFileCollection(`files-${i}`, {
          machineId,
          comment: `IR-4711: files of device ${i}`,
          paths,
          ...destination,
        }),
    );
    return {
      actionIds: collections.map((c) => c.actionId),
      statuses: collections.map((c) => c.status),
      files: collections.map((c) => c.files),
    };
  };
}

/** Sessions posted (answered or dropped; not 429s, which created nothing) and result links fetched. */
export function liveResponseCalls(em: Emulator): { sessions: number; links: number; downloads: number } {
  const count = (route: "liveResponse" | "liveResponseLink" | "liveResponseDownload") =>
    callsOf(em, route).filter((c) => c.status !== 429 && c.status !== 503).length;
  return {
    sessions: count("liveResponse"),
    links: count("liveResponseLink"),
    downloads: count("liveResponseDownload"),
  };
}

/** SHA-256 of bytes, lowercase hex. */
export function sha256Of(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A manifest of a collected file as the tests read it. */
export interface FileManifestView {
  schema: string;
  file: { fileName: string; remotePath: string; commandIndex: number; sizeInBytes: number; sha256: string };
  action: { id: string; type: string; machineId: string };
}

/**
 * Asserts that a collected record of device `machineId` points at a file (read by `read`) holding exactly
 * what the device holds at its path, with a manifest beside it that records the same digest, path and action.
 */
export async function assertCollectedFile(
  t: ExecutionContext,
  em: Emulator,
  machineId: string,
  actionId: string,
  file: LiveResponseFile,
  read: (where: string) => Promise<Buffer> | Buffer = (where) => readFileSync(where),
): Promise<void> {
  const expected = em.deviceFile(machineId, file.path);
  t.truthy(expected, `the device holds ${file.path}`);
  t.is(file.status, "collected", `${file.path} is collected`);
  const where = file.localPath ?? file.blobUrl;
  const manifestWhere = file.manifestPath ?? file.manifestUrl;
  if (!expected || !where || !manifestWhere) return t.fail(`${file.path} has a place`);
  const bytes = await read(where);
  t.is(sha256Of(bytes), sha256Of(expected), `${where} holds what the device holds`);
  t.is(file.sha256, sha256Of(expected));
  t.is(file.sizeInBytes, expected.length);
  t.true(where.includes(`-${actionId}-${file.index}-`), `${where} is named after the action and command`);
  const manifest = JSON.parse((await read(manifestWhere)).toString("utf8")) as FileManifestView;
  t.like(manifest, {
    schema: "pulumi-mde/live-response-file-manifest/v1",
    file: {
      remotePath: file.path,
      commandIndex: file.index,
      sha256: file.sha256,
      sizeInBytes: expected.length,
    },
    action: { id: actionId, type: "LiveResponse", machineId },
  });
}

/** Patterns a result link (or a package link) would leave in a text. */
export const RESULT_LINK_PATTERNS: readonly RegExp[] = [
  ...LINK_PATTERNS,
  /live-response-results\/[0-9a-f-]{36}\/\d+/i,
];

/** Names of the texts in which a link pattern appears (never the match itself). */
export function resultLinkHits(texts: Record<string, string>): string[] {
  return Object.entries(texts)
    .filter(([, text]) => RESULT_LINK_PATTERNS.some((p) => p.test(text)))
    .map(([name]) => name);
}
