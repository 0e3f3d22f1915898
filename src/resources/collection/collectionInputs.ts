/**
 * Validation and normalisation of `InvestigationPackageCollection` inputs. Pure: no I/O, so
 * `check` can reject bad input at `pulumi preview`, before any API call.
 */
import {
  checkDeviceTarget,
  type DeviceTargetInputs,
  deviceKeyOf,
  deviceTargetInputs,
  normaliseDeviceTarget,
} from "./collectionTargetInputs";

/** What the engine passes for a value not known yet (preview of a computed input). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Longest comment accepted. Defender documents no limit; this keeps audit logs readable. */
export const MAX_COMMENT_LENGTH = 1000;

/** Default of `completionTimeoutInMinutes`. */
export const DEFAULT_COMPLETION_TIMEOUT_IN_MINUTES = 60;

/** Longest `completionTimeoutInMinutes`: one week, past which an offline device is a different problem. */
export const MAX_COMPLETION_TIMEOUT_IN_MINUTES = 7 * 24 * 60;

/** What to do when the device already runs a collection. */
export type ConflictPolicy = "adopt" | "fail";

/**
 * Inputs of a collection after `check`: defaults filled in, machine ID lower-cased. `machineId` is empty
 * for a device named by `computerDnsName` until create resolves it.
 */
export interface CollectionInputs extends DeviceTargetInputs {
  machineId: string;
  comment: string;
  triggers?: unknown[];
  waitForCompletion: boolean;
  completionTimeoutInMinutes: number;
  cancelOnDelete: boolean;
  onConflict: ConflictPolicy;
  /** `project/stack` of the program, used in cancellation comments and the marker. */
  pulumiStack?: string;
  /** The resource's name in the program, part of the marker that ties an action to this resource. */
  resourceName?: string;
  /** An existing collection to take over instead of starting one. */
  adoptActionId?: string;
}

/** One rejected input: the property and a message saying what was expected and what to do. */
export interface InputFailure {
  property: string;
  reason: string;
}

/** Names of the inputs, in the order users write them. */
export const INPUT_NAMES = [
  "machineId",
  "comment",
  "triggers",
  "waitForCompletion",
  "completionTimeoutInMinutes",
  "cancelOnDelete",
  "onConflict",
  "pulumiStack",
  "resourceName",
  "adoptActionId",
  "computerDnsName",
  "deviceWaitInMinutes",
  "requireActiveDevice",
] as const;

/** Inputs whose change starts a new collection (of machineId and computerDnsName, the one the program gives). */
export const REPLACING_INPUTS = [
  "machineId",
  "computerDnsName",
  "comment",
  "triggers",
  "adoptActionId",
] as const;

/** Inputs that only govern this provider's behaviour: a change updates state, nothing else. */
export const BEHAVIOUR_INPUTS = [
  "waitForCompletion",
  "completionTimeoutInMinutes",
  "cancelOnDelete",
  "onConflict",
  "deviceWaitInMinutes",
  "requireActiveDevice",
] as const;

const HEX_ID = /^[0-9a-f]{32,40}$/i;
// Entra device IDs (aadDeviceId) and machine action IDs are GUIDs: a common mix-up with the device ID.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// C0 and C1 control characters except tab and newline, which multi-line runbook comments use.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// Characters that make text read differently than it is stored: bidirectional overrides and isolates
// (U+202E turns "exe.txt" into "txt.exe"), zero-width characters and the byte-order mark. In Defender's
// action center they would let a comment impersonate another incident.
const INVISIBLE_CHARACTER = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
// A UTF-16 surrogate without its pair is not text: it cannot be encoded to UTF-8 for the request.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `${JSON.stringify(shown)} (${value.length} characters)`;
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const isUnknown = (value: unknown): boolean => value === UNKNOWN_VALUE;

function checkMachineId(value: unknown): string | undefined {
  const hint =
    "Give the device ID from the Defender portal (device page, or GET /api/machines/{computerDnsName}).";
  if (typeof value !== "string" || value.trim() === "") {
    return `machineId is required: expected the device's hex ID (32 to 40 characters), got ${describe(value)}. ${hint} Or name the device by computerDnsName instead.`;
  }
  const trimmed = value.trim();
  if (HEX_ID.test(trimmed)) return undefined;
  if (GUID.test(trimmed)) {
    return `machineId must be the Defender device ID (40 hex characters, no dashes), got ${describe(value)}, which is a GUID: probably the device's Entra ID (aadDeviceId) or a machine action ID. ${hint}`;
  }
  const nonHex = trimmed.replace(/[0-9a-f]/gi, "").length;
  // A device ID with a stray character (a typo, "O" for "0") is not a computer name: at most a couple
  // of non-hex characters in an ID-long string is a mistyped ID; anything else with letters is a name.
  const mistypedId = trimmed.length >= 32 && trimmed.length <= 40 && nonHex <= 2;
  if (!mistypedId && (trimmed.includes(".") || /[g-z]/i.test(trimmed))) {
    return `machineId must be the device's hex ID (32 to 40 characters, e.g. 1e5bc9d7e413ddd7902c2932e418702b84d0cc07), got ${describe(value)}, which looks like a computer name. machineId does not take names: ${hint}`;
  }
  const bad = /[^0-9a-f]/i.exec(trimmed);
  if (bad) {
    return `machineId must be hexadecimal, 32 to 40 characters (0-9, a-f), got ${describe(value)}: ${JSON.stringify(bad[0])} at position ${bad.index} is not a hex digit. ${hint}`;
  }
  return `machineId must be hexadecimal, 32 to 40 characters (Defender device IDs are 40), got ${describe(value)}. ${hint}`;
}

function checkComment(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    return `comment is required: expected a non-empty text saying why the package is collected (it is sent as Comment and shown in Defender's action center), got ${describe(value)}.`;
  }
  if (value.length > MAX_COMMENT_LENGTH) {
    return `comment is too long: expected at most ${MAX_COMMENT_LENGTH} characters, got ${value.length}. Keep the reason short and link the incident (e.g. "IR-4711: alert 1234").`;
  }
  const control = CONTROL_CHARACTER.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0");
    return `comment contains a control character (U+${code}) at position ${control.index}: expected printable text (tabs and newlines are allowed). Remove it; it often comes from pasted terminal output.`;
  }
  const invisible = INVISIBLE_CHARACTER.exec(value);
  if (invisible) {
    const code = invisible[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    return `comment contains an invisible formatting character (U+${code}) at position ${invisible.index}: bidirectional overrides, zero-width characters and byte-order marks make the comment read differently in Defender's action center than it is. Remove it (retype the text rather than pasting it).`;
  }
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) {
    return `comment contains a broken character (an unpaired UTF-16 surrogate) at position ${surrogate.index}: expected valid Unicode text. Retype the comment.`;
  }
  return undefined;
}

function checkBoolean(name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  return `${name} must be true or false, got ${describe(value)}.`;
}

function checkTimeout(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > MAX_COMPLETION_TIMEOUT_IN_MINUTES
  ) {
    return `completionTimeoutInMinutes must be a number of minutes greater than 0 and at most ${MAX_COMPLETION_TIMEOUT_IN_MINUTES} (one week), got ${describe(value)}.`;
  }
  return undefined;
}

function checkConflict(value: unknown): string | undefined {
  if (value === undefined || value === "adopt" || value === "fail") return undefined;
  return `onConflict must be "adopt" (take over the collection already running on the device) or "fail", got ${describe(value)}.`;
}

function checkAdoptActionId(value: unknown): string | undefined {
  if (value === undefined || (typeof value === "string" && GUID.test(value.trim()))) return undefined;
  return `adoptActionId must be the GUID of an existing machine action (e.g. 6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b, as shown in Defender's action center), got ${describe(value)}.`;
}

function checkTriggers(value: unknown): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  return `triggers must be an array (any change in it starts a new collection), got ${describe(value)}.`;
}

/**
 * Validates raw inputs as the engine passes them to `check`. Values still unknown at preview are
 * not judged. Returns the normalised inputs (defaults filled in) and every failure found.
 */
export function checkCollectionInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const failures: InputFailure[] = [];
  const judge = (property: string, reason: string | undefined) => {
    if (reason !== undefined) failures.push({ property, reason });
  };
  const known = (name: string) => !isUnknown(news[name]);

  // A device named by computerDnsName alone needs no machineId: create resolves it.
  if (known("machineId") && deviceKeyOf(news) === "machineId")
    judge("machineId", checkMachineId(news.machineId));
  failures.push(...checkDeviceTarget(news, known));
  if (known("comment")) judge("comment", checkComment(news.comment));
  if (known("triggers")) judge("triggers", checkTriggers(news.triggers));
  if (known("waitForCompletion"))
    judge("waitForCompletion", checkBoolean("waitForCompletion", news.waitForCompletion));
  if (known("cancelOnDelete")) judge("cancelOnDelete", checkBoolean("cancelOnDelete", news.cancelOnDelete));
  if (known("completionTimeoutInMinutes"))
    judge("completionTimeoutInMinutes", checkTimeout(news.completionTimeoutInMinutes));
  if (known("onConflict")) judge("onConflict", checkConflict(news.onConflict));
  if (known("adoptActionId")) judge("adoptActionId", checkAdoptActionId(news.adoptActionId));

  const inputs: Record<string, unknown> = { ...news };
  if (typeof news.machineId === "string" && known("machineId") && HEX_ID.test(news.machineId.trim())) {
    inputs.machineId = news.machineId.trim().toLowerCase();
  }
  inputs.waitForCompletion ??= false;
  inputs.completionTimeoutInMinutes ??= DEFAULT_COMPLETION_TIMEOUT_IN_MINUTES;
  inputs.cancelOnDelete ??= false;
  inputs.onConflict ??= "adopt";
  normaliseDeviceTarget(inputs, known);
  return { inputs, failures };
}

/** Reads checked inputs (state or `check` output) with defaults for anything older state lacks. */
export function collectionInputs(props: Record<string, unknown>): CollectionInputs {
  return {
    machineId: String(props.machineId ?? ""),
    comment: String(props.comment ?? ""),
    triggers: Array.isArray(props.triggers) ? props.triggers : undefined,
    waitForCompletion: props.waitForCompletion === true,
    completionTimeoutInMinutes:
      typeof props.completionTimeoutInMinutes === "number"
        ? props.completionTimeoutInMinutes
        : DEFAULT_COMPLETION_TIMEOUT_IN_MINUTES,
    cancelOnDelete: props.cancelOnDelete === true,
    onConflict: props.onConflict === "fail" ? "fail" : "adopt",
    pulumiStack: typeof props.pulumiStack === "string" ? props.pulumiStack : undefined,
    resourceName: typeof props.resourceName === "string" ? props.resourceName : undefined,
    adoptActionId:
      typeof props.adoptActionId === "string" ? props.adoptActionId.trim().toLowerCase() : undefined,
    ...deviceTargetInputs(props),
  };
}

function stableJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/**
 * The diff the engine needs: which inputs changed, which of them replace. Compares normalised
 * values, so state written before a default existed does not show a change.
 */
export function diffCollectionInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { changed: string[]; replaces: string[] } {
  const before = collectionInputs(olds);
  const after = collectionInputs(news);
  const changed: string[] = [];
  const deviceKey = deviceKeyOf(news);
  for (const name of [...REPLACING_INPUTS, ...BEHAVIOUR_INPUTS]) {
    // Only the input the program names the device by counts: the other is an output (the resolved ID,
    // or the name Defender reports) that create or a refresh fills in while nothing changes.
    if ((name === "machineId" || name === "computerDnsName") && name !== deviceKey) continue;
    const a = news[name];
    if (isUnknown(a)) {
      changed.push(name);
      continue;
    }
    if (stableJson(before[name]) !== stableJson(after[name])) changed.push(name);
  }
  const replaces = changed.filter((name) => (REPLACING_INPUTS as readonly string[]).includes(name));
  return { changed, replaces };
}
