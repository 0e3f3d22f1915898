/**
 * Validation and normalisation of `InvestigationPackageCollection` inputs. Pure: no I/O, so
 * `check` can reject bad input at `pulumi preview`, before any API call.
 */
import { type DeviceTargetInputs, deviceKeyOf, deviceTargetInputs } from "../shared/deviceTargetInputs";
import { checkActionGuid, describe, type InputFailure, isUnknown } from "../shared/inputChecks";
import { InputJudge, normaliseActionInputs } from "../shared/inputJudge";

export { type InputFailure, MAX_COMMENT_LENGTH, UNKNOWN_VALUE } from "../shared/inputChecks";

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
  /** The connection profile (mde:profiles) the collection acts through; absent: the stack's own settings. */
  profile?: string;
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
  "profile",
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
  "profile",
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

function checkConflict(value: unknown): string | undefined {
  if (value === undefined || value === "adopt" || value === "fail") return undefined;
  return `onConflict must be "adopt" (take over the collection already running on the device) or "fail", got ${describe(value)}.`;
}

/**
 * Validates raw inputs as the engine passes them to `check`. Values still unknown at preview are
 * not judged. Returns the normalised inputs (defaults filled in) and every failure found.
 */
export function checkCollectionInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
} {
  const { failures } = new InputJudge(news)
    .actionBasics("why the package is collected", "collection")
    .flags("waitForCompletion", "cancelOnDelete")
    .minutes("completionTimeoutInMinutes", MAX_COMPLETION_TIMEOUT_IN_MINUTES, "one week")
    .ifKnown("onConflict", checkConflict)
    .ifKnown("adoptActionId", (v) => checkActionGuid("adoptActionId", v));
  const inputs = normaliseActionInputs(news);
  inputs.waitForCompletion ??= false;
  inputs.completionTimeoutInMinutes ??= DEFAULT_COMPLETION_TIMEOUT_IN_MINUTES;
  inputs.cancelOnDelete ??= false;
  inputs.onConflict ??= "adopt";
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
    ...(typeof props.profile === "string" && props.profile !== "" ? { profile: props.profile } : {}),
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
