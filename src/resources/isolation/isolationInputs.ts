/**
 * Validation, normalisation and diff of `DeviceIsolation` inputs, on the shared kit: the device (by ID or
 * name), the comment and the timeout are judged as every action resource judges them. Pure.
 */
import { type DeviceTargetInputs, deviceKeyOf, deviceTargetInputs } from "../shared/deviceTargetInputs";
import { describe, type InputFailure, isUnknown } from "../shared/inputChecks";
import { InputJudge, normaliseActionInputs } from "../shared/inputJudge";

/** How a device is isolated (the API's `IsolationType`). */
export type IsolationType = "Full" | "Selective" | "UnManagedDevice";

/** Every isolation type. */
export const ISOLATION_TYPES: readonly IsolationType[] = ["Full", "Selective", "UnManagedDevice"];

/** Default of `completionTimeoutInMinutes`: how long create waits for the isolation, and delete for the release. */
export const DEFAULT_ISOLATION_TIMEOUT_IN_MINUTES = 60;

/** Longest `completionTimeoutInMinutes`: one week. */
export const MAX_ISOLATION_TIMEOUT_IN_MINUTES = 7 * 24 * 60;

/** Inputs of an isolation after `check`. `machineId` is empty for a device named by name until create. */
export interface IsolationInputs extends DeviceTargetInputs {
  machineId: string;
  comment: string;
  isolationType: IsolationType;
  triggers?: unknown[];
  waitForCompletion: boolean;
  completionTimeoutInMinutes: number;
  releaseOnDelete: boolean;
  /** `project/stack` of the program, in release comments and the marker. */
  pulumiStack?: string;
  /** The resource's name in the program, part of the marker. */
  resourceName?: string;
  /** The connection profile (mde:profiles) it acts through; absent: the stack's own settings. */
  profile?: string;
}

/** Inputs whose change isolates anew (a new resource; the old one releases the device first). */
export const REPLACING_ISOLATION_INPUTS = [
  "machineId",
  "computerDnsName",
  "comment",
  "isolationType",
  "triggers",
  "profile",
] as const;

/** Inputs that only govern behaviour: a change updates state, nothing else. */
export const BEHAVIOUR_ISOLATION_INPUTS = [
  "waitForCompletion",
  "completionTimeoutInMinutes",
  "releaseOnDelete",
  "deviceWaitInMinutes",
  "requireActiveDevice",
] as const;

function checkIsolationType(value: unknown): string | undefined {
  if (value === undefined || ISOLATION_TYPES.includes(value as IsolationType)) return undefined;
  return `isolationType must be "Full" (cut the device off, Defender still reaches it), "Selective" (Outlook, Teams and Skype still work) or "UnManagedDevice" (contain an unmanaged device), got ${describe(value)}.`;
}

/** Validates raw inputs as the engine passes them to `check`; unknown values (preview) are not judged. */
export function checkIsolationInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const { failures } = new InputJudge(news)
    .actionBasics("why the device is isolated", "isolation")
    .ifKnown("isolationType", checkIsolationType)
    .flags("waitForCompletion", "releaseOnDelete")
    .minutes("completionTimeoutInMinutes", MAX_ISOLATION_TIMEOUT_IN_MINUTES, "one week");
  const inputs = normaliseActionInputs(news);
  inputs.isolationType ??= "Full";
  inputs.waitForCompletion ??= false;
  inputs.completionTimeoutInMinutes ??= DEFAULT_ISOLATION_TIMEOUT_IN_MINUTES;
  inputs.releaseOnDelete ??= true;
  return { inputs, failures };
}

/** Reads checked inputs (state or `check` output) with defaults. */
export function isolationInputs(props: Record<string, unknown>): IsolationInputs {
  return {
    machineId: String(props.machineId ?? ""),
    comment: String(props.comment ?? ""),
    isolationType: ISOLATION_TYPES.includes(props.isolationType as IsolationType)
      ? (props.isolationType as IsolationType)
      : "Full",
    triggers: Array.isArray(props.triggers) ? props.triggers : undefined,
    waitForCompletion: props.waitForCompletion === true,
    completionTimeoutInMinutes:
      typeof props.completionTimeoutInMinutes === "number"
        ? props.completionTimeoutInMinutes
        : DEFAULT_ISOLATION_TIMEOUT_IN_MINUTES,
    releaseOnDelete: props.releaseOnDelete !== false,
    ...(typeof props.pulumiStack === "string" ? { pulumiStack: props.pulumiStack } : {}),
    ...(typeof props.resourceName === "string" ? { resourceName: props.resourceName } : {}),
    ...(typeof props.profile === "string" && props.profile !== "" ? { profile: props.profile } : {}),
    ...deviceTargetInputs(props),
  };
}

/**
 * The diff: changed inputs, those that replace, and whether the last refresh found the device released
 * outside the stack (an update then isolates it again).
 */
export function diffIsolationInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { changed: string[]; replaces: string[]; released: boolean } {
  const before = isolationInputs(olds);
  const after = isolationInputs(news);
  const deviceKey = deviceKeyOf(news);
  const changed: string[] = [];
  for (const name of [...REPLACING_ISOLATION_INPUTS, ...BEHAVIOUR_ISOLATION_INPUTS]) {
    if ((name === "machineId" || name === "computerDnsName") && name !== deviceKey) continue;
    if (isUnknown(news[name])) changed.push(name);
    else if (JSON.stringify(before[name] ?? null) !== JSON.stringify(after[name] ?? null)) changed.push(name);
  }
  const replaces = changed.filter((name) => (REPLACING_ISOLATION_INPUTS as readonly string[]).includes(name));
  const released = olds.status === "Succeeded" && olds.isolated === false;
  return { changed, replaces, released };
}
