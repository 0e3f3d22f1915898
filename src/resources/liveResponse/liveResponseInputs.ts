/**
 * Validation, normalisation and diff of `LiveResponseFileCollection` inputs, on the shared kit: the device,
 * the comment, the timeout and the triggers as every action resource judges them, the destination as every
 * download does, and the remote paths. Pure but for the destination folder's `stat`: `check` runs at preview.
 */
import {
  checkDestinationInputs,
  type DestinationInputs,
  destinationInputsOf,
  normaliseDestinationInputs,
  REPLACING_DESTINATION_INPUTS,
} from "../evidence/destinationInputs";
import { type DeviceTargetInputs, deviceKeyOf, deviceTargetInputs } from "../shared/deviceTargetInputs";
import { describe, type InputFailure, isUnknown } from "../shared/inputChecks";
import { InputJudge, normaliseActionInputs } from "../shared/inputJudge";

/** Most paths in one collection: one live response session runs its commands one after another. */
export const MAX_REMOTE_PATHS = 20;

/** Longest remote path accepted (Windows long paths reach 32767; real evidence paths are far shorter). */
export const MAX_REMOTE_PATH_LENGTH = 1024;

/** Default of `timeoutInMinutes`: how long create waits for the session to end. */
export const DEFAULT_LIVE_RESPONSE_TIMEOUT_IN_MINUTES = 60;

/** Longest `timeoutInMinutes`: three days, as long as Defender keeps a session queued. */
export const MAX_LIVE_RESPONSE_TIMEOUT_IN_MINUTES = 3 * 24 * 60;

/** Inputs of a file collection after `check`. `machineId` is empty for a device named by name until create. */
export interface LiveResponseInputs extends DeviceTargetInputs, DestinationInputs {
  machineId: string;
  comment: string;
  /** Remote file paths, trimmed, in command order. */
  paths: string[];
  triggers?: unknown[];
  timeoutInMinutes: number;
  /** `project/stack` of the program, in the marker and the manifests. */
  pulumiStack?: string;
  /** The resource's name in the program, part of the marker. */
  resourceName?: string;
  /** The connection profile (mde:profiles) it acts through; absent: the stack's own settings. */
  profile?: string;
}

/** Inputs whose change collects anew (a new resource; files already stored stay). */
export const REPLACING_LIVE_RESPONSE_INPUTS = [
  "machineId",
  "computerDnsName",
  "comment",
  "paths",
  "triggers",
  "profile",
  ...REPLACING_DESTINATION_INPUTS,
] as const;

/** Inputs that only govern behaviour: a change updates state, nothing else. */
export const BEHAVIOUR_LIVE_RESPONSE_INPUTS = [
  "timeoutInMinutes",
  "deviceWaitInMinutes",
  "requireActiveDevice",
  "requireImmutableStorage",
] as const;

// Every C0 and C1 control character: a path is one line, and a tab or newline in it is a paste accident.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

function checkPath(value: unknown, position: number): string | undefined {
  const where = `paths[${position}]`;
  if (typeof value !== "string" || value.trim() === "") {
    return `${where} must be the full path of a file on the device (e.g. C:\\Windows\\System32\\drivers\\etc\\hosts or /var/log/auth.log), got ${describe(value)}.`;
  }
  if (value.length > MAX_REMOTE_PATH_LENGTH) {
    return `${where} is too long: at most ${MAX_REMOTE_PATH_LENGTH} characters, got ${value.length}.`;
  }
  const control = CONTROL_CHARACTER.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0");
    return `${where} contains a control character (U+${code}) at position ${control.index}: a path is one line of printable text. Remove it.`;
  }
  return undefined;
}

/** Judges `paths`: 1 to MAX_REMOTE_PATHS printable paths, no path twice. Unknown items are not judged. */
export function checkPaths(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    return [
      `paths must list the remote files to collect (1 to ${MAX_REMOTE_PATHS} full paths on the device), got ${describe(value)}.`,
    ];
  }
  if (value.length > MAX_REMOTE_PATHS) {
    return [
      `paths lists ${value.length} files; one collection takes at most ${MAX_REMOTE_PATHS} (one live response session runs them one after another). Split them over several resources.`,
    ];
  }
  const reasons: string[] = [];
  const seen = new Map<string, number>();
  for (const [i, item] of value.entries()) {
    if (isUnknown(item)) continue;
    const reason = checkPath(item, i);
    if (reason) {
      reasons.push(reason);
      continue;
    }
    const path = (item as string).trim();
    const first = seen.get(path);
    if (first !== undefined) {
      reasons.push(`paths[${i}] repeats paths[${first}] (${describe(path)}): list each file once.`);
    } else seen.set(path, i);
  }
  return reasons;
}

/** Validates raw inputs as the engine passes them to `check`; unknown values (preview) are not judged. */
export function checkLiveResponseInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const judge = new InputJudge(news)
    .actionBasics("why the files are collected", "collection of the files")
    .minutes(
      "timeoutInMinutes",
      MAX_LIVE_RESPONSE_TIMEOUT_IN_MINUTES,
      "three days, as long as Defender queues a session",
    );
  if (judge.known("paths")) for (const reason of checkPaths(news.paths)) judge.judge("paths", reason);
  const failures = [...judge.failures, ...checkDestinationInputs(news)];
  const inputs = normaliseActionInputs(news);
  if (Array.isArray(news.paths)) {
    inputs.paths = news.paths.map((p) => (typeof p === "string" && !isUnknown(p) ? p.trim() : p));
  }
  inputs.timeoutInMinutes ??= DEFAULT_LIVE_RESPONSE_TIMEOUT_IN_MINUTES;
  normaliseDestinationInputs(inputs);
  return { inputs, failures };
}

/** Reads checked inputs (state or `check` output) with defaults. */
export function liveResponseInputs(props: Record<string, unknown>): LiveResponseInputs {
  return {
    machineId: String(props.machineId ?? ""),
    comment: String(props.comment ?? ""),
    paths: Array.isArray(props.paths) ? props.paths.map(String) : [],
    triggers: Array.isArray(props.triggers) ? props.triggers : undefined,
    timeoutInMinutes:
      typeof props.timeoutInMinutes === "number"
        ? props.timeoutInMinutes
        : DEFAULT_LIVE_RESPONSE_TIMEOUT_IN_MINUTES,
    ...(typeof props.pulumiStack === "string" ? { pulumiStack: props.pulumiStack } : {}),
    ...(typeof props.resourceName === "string" ? { resourceName: props.resourceName } : {}),
    ...(typeof props.profile === "string" && props.profile !== "" ? { profile: props.profile } : {}),
    ...destinationInputsOf(props),
    ...deviceTargetInputs(props),
  };
}

/** The diff: changed inputs and those that replace. */
export function diffLiveResponseInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { changed: string[]; replaces: string[] } {
  const before = liveResponseInputs(olds) as unknown as Record<string, unknown>;
  const after = liveResponseInputs(news) as unknown as Record<string, unknown>;
  const deviceKey = deviceKeyOf(news);
  const changed: string[] = [];
  for (const name of [...REPLACING_LIVE_RESPONSE_INPUTS, ...BEHAVIOUR_LIVE_RESPONSE_INPUTS]) {
    if ((name === "machineId" || name === "computerDnsName") && name !== deviceKey) continue;
    if (isUnknown(news[name])) changed.push(name);
    else if (JSON.stringify(before[name] ?? null) !== JSON.stringify(after[name] ?? null)) changed.push(name);
  }
  const replaces = changed.filter((name) =>
    (REPLACING_LIVE_RESPONSE_INPUTS as readonly string[]).includes(name),
  );
  return { changed, replaces };
}
