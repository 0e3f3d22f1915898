/**
 * The input checks every action resource shares: the preview placeholder, the failure shape, and the
 * judges of a device ID, a comment, a flag, a number of minutes, triggers and an action ID. Pure: `check`
 * runs them at `pulumi preview`, before any API call.
 */

/** What the engine passes for a value not known yet (preview of a computed input). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Longest comment accepted. Defender documents no limit; this keeps audit logs readable. */
export const MAX_COMMENT_LENGTH = 1000;

/** One rejected input: the property and a message saying what was expected and what to do. */
export interface InputFailure {
  property: string;
  reason: string;
}

/** A Defender device ID: 32 to 40 hex digits. */
export const HEX_ID = /^[0-9a-f]{32,40}$/i;
/** Entra device IDs (aadDeviceId) and machine action IDs are GUIDs: a common mix-up with the device ID. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// C0 and C1 control characters except tab and newline, which multi-line runbook comments use.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// Characters that make text read differently than it is stored: bidirectional overrides and isolates
// (U+202E turns "exe.txt" into "txt.exe"), zero-width characters and the byte-order mark. In Defender's
// action center they would let a comment impersonate another incident.
const INVISIBLE_CHARACTER = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
// A UTF-16 surrogate without its pair is not text: it cannot be encoded to UTF-8 for the request.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True for the preview placeholder of a value not known yet. */
export const isUnknown = (value: unknown): boolean => value === UNKNOWN_VALUE;

/** A value as messages show it: quoted and cut, with its length. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `${JSON.stringify(shown)} (${value.length} characters)`;
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Judges `machineId`: a hex device ID, told apart from a GUID, a computer name and a typo. */
export function checkMachineId(value: unknown): string | undefined {
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

/**
 * Judges `comment`: required, bounded, printable, no invisible formatting, valid Unicode.
 * @param why - What the comment says, e.g. "why the package is collected".
 */
export function checkComment(value: unknown, why: string): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    return `comment is required: expected a non-empty text saying ${why} (it is sent as Comment and shown in Defender's action center), got ${describe(value)}.`;
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

/** Judges an optional flag. */
export function checkBoolean(name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  return `${name} must be true or false, got ${describe(value)}.`;
}

/** Judges an optional number of minutes in (0, max]; `maxLabel` names the bound, e.g. "one week". */
export function checkMinutes(
  name: string,
  value: unknown,
  max: number,
  maxLabel: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
    return `${name} must be a number of minutes greater than 0 and at most ${max} (${maxLabel}), got ${describe(value)}.`;
  }
  return undefined;
}

/** Judges `triggers`: any array; a change in it starts a new action. */
export function checkTriggers(value: unknown, what: string): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  return `triggers must be an array (any change in it starts a new ${what}), got ${describe(value)}.`;
}

/** Judges an optional machine action ID (a GUID). */
export function checkActionGuid(name: string, value: unknown): string | undefined {
  if (value === undefined || (typeof value === "string" && GUID.test(value.trim()))) return undefined;
  return `${name} must be the GUID of an existing machine action (e.g. 6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b, as shown in Defender's action center), got ${describe(value)}.`;
}
