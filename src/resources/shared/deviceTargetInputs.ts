/**
 * The inputs that choose the device an action resource acts on: `machineId` or `computerDnsName` (exactly
 * one), `deviceWaitInMinutes` and `requireActiveDevice`. Pure, like the rest of input checking: `check`
 * judges them at preview; the device itself is looked up at create (deviceTarget.ts).
 */
import { describe, HEX_ID, type InputFailure } from "./inputChecks";

/** Default of `deviceWaitInMinutes`: look the device up once. */
export const DEFAULT_DEVICE_WAIT_IN_MINUTES = 0;

/** Longest `deviceWaitInMinutes`: a day, past which the device is not onboarding but missing. */
export const MAX_DEVICE_WAIT_IN_MINUTES = 24 * 60;

/** Longest computer name accepted: a DNS name is at most 253 characters (255 with the final dot). */
export const MAX_COMPUTER_DNS_NAME_LENGTH = 255;

/** The device-choosing inputs after `check`. */
export interface DeviceTargetInputs {
  /** Computer DNS name, trimmed and lower-cased, when the device is named that way. */
  computerDnsName?: string;
  /** How long create waits for the device to appear, in minutes. */
  deviceWaitInMinutes: number;
  /** `true`: create fails, before posting, on a device whose healthStatus is not Active. */
  requireActiveDevice: boolean;
}

/** The input a program names its device by. */
export type DeviceKeyInput = "machineId" | "computerDnsName";

const given = (value: unknown): boolean => value !== undefined && value !== null;

/**
 * Which input names the device: `computerDnsName` when only it is given, `machineId` otherwise. The other
 * one is then an output (the resolved ID, or the name Defender reports) and must not count in a diff.
 */
export function deviceKeyOf(news: Record<string, unknown>): DeviceKeyInput {
  return given(news.computerDnsName) && !given(news.machineId) ? "computerDnsName" : "machineId";
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

function checkComputerDnsName(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    return `computerDnsName must be the device's name as Defender shows it (e.g. ws-042.contoso.com), got ${describe(value)}.`;
  }
  const name = value.trim();
  if (name.length > MAX_COMPUTER_DNS_NAME_LENGTH) {
    return `computerDnsName is too long: a DNS name has at most ${MAX_COMPUTER_DNS_NAME_LENGTH} characters, got ${name.length}.`;
  }
  const control = CONTROL_CHARACTER.exec(name);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0");
    return `computerDnsName contains a control character (U+${code}) at position ${control.index}: remove it.`;
  }
  if (HEX_ID.test(name)) {
    return `computerDnsName ${describe(value)} is a device ID, not a name: give it as machineId instead.`;
  }
  return undefined;
}

function checkDeviceWait(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_DEVICE_WAIT_IN_MINUTES
  ) {
    return `deviceWaitInMinutes must be a number of minutes from 0 to ${MAX_DEVICE_WAIT_IN_MINUTES} (one day), got ${describe(value)}.`;
  }
  return undefined;
}

/**
 * Judges the device-choosing inputs: exactly one of `machineId` and `computerDnsName` (a value still
 * unknown at preview counts as given), a plausible name, the wait and the flag. `machineId` itself is
 * judged by the caller, when it names the device.
 * @param known - Whether an input's value is known (not the preview placeholder).
 */
export function checkDeviceTarget(
  news: Record<string, unknown>,
  known: (name: string) => boolean,
): InputFailure[] {
  const failures: InputFailure[] = [];
  if (given(news.machineId) && given(news.computerDnsName)) {
    failures.push({
      property: "computerDnsName",
      reason:
        "give either machineId or computerDnsName, not both: machineId names the device by its Defender ID, computerDnsName by its name (looked up when the action starts, the ID it resolves to becomes the machineId output). Remove one of them.",
    });
  } else if (given(news.computerDnsName) && known("computerDnsName")) {
    const reason = checkComputerDnsName(news.computerDnsName);
    if (reason) failures.push({ property: "computerDnsName", reason });
  }
  if (known("deviceWaitInMinutes")) {
    const reason = checkDeviceWait(news.deviceWaitInMinutes);
    if (reason) failures.push({ property: "deviceWaitInMinutes", reason });
  }
  const flag = news.requireActiveDevice;
  if (known("requireActiveDevice") && flag !== undefined && typeof flag !== "boolean") {
    failures.push({
      property: "requireActiveDevice",
      reason: `requireActiveDevice must be true or false, got ${describe(flag)}.`,
    });
  }
  return failures;
}

/** Reads the device-choosing inputs from checked inputs or state, with defaults; the name lower-cased. */
export function deviceTargetInputs(props: Record<string, unknown>): DeviceTargetInputs {
  const name = props.computerDnsName;
  return {
    ...(typeof name === "string" && name.trim() !== "" ? { computerDnsName: name.trim().toLowerCase() } : {}),
    deviceWaitInMinutes:
      typeof props.deviceWaitInMinutes === "number"
        ? props.deviceWaitInMinutes
        : DEFAULT_DEVICE_WAIT_IN_MINUTES,
    requireActiveDevice: props.requireActiveDevice === true,
  };
}

/** Fills the defaults into checked inputs and normalises a known computer name (DNS names have no case). */
export function normaliseDeviceTarget(
  inputs: Record<string, unknown>,
  known: (name: string) => boolean,
): void {
  if (typeof inputs.computerDnsName === "string" && known("computerDnsName")) {
    inputs.computerDnsName = inputs.computerDnsName.trim().toLowerCase();
  }
  inputs.deviceWaitInMinutes ??= DEFAULT_DEVICE_WAIT_IN_MINUTES;
  inputs.requireActiveDevice ??= false;
}
