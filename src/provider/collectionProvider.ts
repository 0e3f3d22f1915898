/**
 * The `InvestigationPackageCollection` dynamic provider as it runs in the provider process.
 *
 * The serialized provider in state only forwards to this module (loaded by package name), so all
 * process-wide state lives here and in the modules it uses: settings from `configure`, one Defender
 * client (token cache, rate limiter, HTTP agent) per application, tenant and host.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  type CollectionInputs,
  checkCollectionInputs,
  collectionInputs,
  diffCollectionInputs,
} from "./collectionInputs";
import { type CollectResult, getDefenderClient } from "./defenderClient";
import { exitWhenEngineGone } from "./engineWatch";
import { DefenderError, isDefenderError } from "./errors";
import { redact } from "./redact";
import { CONFIG_KEYS, resolveSettings, type Settings } from "./settings";
import { COLLECT_INVESTIGATION_PACKAGE, isFinalStatus, type MachineAction } from "./types";

/** First delay between status polls with `waitForCompletion`, before time scaling. */
export const FIRST_POLL_DELAY_MS = 5_000;
/** Longest delay between status polls, before time scaling. */
export const MAX_POLL_DELAY_MS = 60_000;
/** Growth of the poll delay after each poll. */
export const POLL_BACKOFF_FACTOR = 1.5;

/** Stack config as received by `configure`; `undefined` until then (the environment still applies). */
let configured: Record<string, string | undefined> | undefined;
let cachedSettings:
  | { source: Record<string, string | undefined> | undefined; settings: Settings }
  | undefined;

/** Settings for this process: stack config from `configure`, then the environment. Throws `MDE_CONFIG_INVALID`. */
function currentSettings(): Settings {
  if (cachedSettings?.source !== configured || !cachedSettings) {
    cachedSettings = { source: configured, settings: resolveSettings(configured ?? {}) };
  }
  return cachedSettings.settings;
}

/**
 * Error that records a resource whose action exists but did not end well: the engine keeps the
 * resource (ID and properties) in state and reports the reasons, instead of forgetting the action.
 */
export class CollectionIncompleteError extends Error {
  override readonly name = "CollectionIncompleteError";
  /** Stable code, like every error of this package. */
  readonly code = "MDE_COLLECTION_INCOMPLETE";
  /** Read by the dynamic-provider host: the resource ID to record. */
  readonly id: string;
  /** Read by the dynamic-provider host: the outputs to record. */
  readonly properties: Record<string, unknown>;
  /** Read by the dynamic-provider host: why initialisation failed. */
  readonly reasons: string[];

  constructor(message: string, id: string, properties: Record<string, unknown>) {
    super(message);
    this.id = id;
    this.properties = properties;
    this.reasons = [message];
  }
}

/** Outputs stored for a collection: the inputs as checked, then what Defender says of the action. */
export function collectionOutputs(
  inputs: CollectionInputs,
  action: MachineAction,
  adopted: boolean,
): Record<string, unknown> {
  const outs: Record<string, unknown> = {
    ...inputs,
    actionId: action.id,
    status: action.status,
    machineId: action.machineId || inputs.machineId,
    computerDnsName: action.computerDnsName,
    requestor: action.requestor,
    requestorComment: action.requestorComment,
    creationDateTimeUtc: action.creationDateTimeUtc,
    lastUpdateDateTimeUtc: action.lastUpdateDateTimeUtc,
    adopted,
  };
  // Protobuf structs cannot carry `undefined`; an absent output reads as undefined anyway.
  for (const [key, value] of Object.entries(outs))
    if (value === undefined || value === null) delete outs[key];
  return outs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function statusHint(action: MachineAction): string {
  switch (action.status) {
    case "Failed":
      return `the device reported a failure${action.troubleshootInfo ? ` (${String(action.troubleshootInfo)})` : ""}; check the action in Defender's action center and the device's sensor health`;
    case "TimeOut":
      return "the device did not pick the action up in time; it is probably offline (check healthStatus and lastSeen of the device)";
    case "Cancelled":
      return `it was cancelled${action.cancellationRequestor ? ` by ${action.cancellationRequestor}` : ""}${action.cancellationComment ? ` ("${action.cancellationComment}")` : ""}`;
    default:
      return `it is still ${action.status}`;
  }
}

/**
 * Waits until the action is final or the timeout passes. Polls with backoff; every GET goes through
 * the client's rate budget for actions, so many waiting resources share it fairly.
 */
async function waitForFinal(
  settings: Settings,
  action: MachineAction,
  timeoutInMinutes: number,
): Promise<{ action: MachineAction; timedOut: boolean }> {
  const client = getDefenderClient(settings);
  const scale = settings.timeScale;
  const deadline = Date.now() + (timeoutInMinutes * 60_000) / scale;
  let delay = FIRST_POLL_DELAY_MS / scale;
  let current = action;
  while (!isFinalStatus(current.status)) {
    const left = deadline - Date.now();
    if (left <= 0) return { action: current, timedOut: true };
    await sleep(Math.min(delay, left));
    const fresh = await client.getMachineAction(current.id);
    if (!fresh) {
      throw new DefenderError(
        "MDE_NOT_FOUND",
        `Machine action ${current.id} disappeared while waiting for it to complete.`,
        { operation: "getAction" },
      );
    }
    current = fresh;
    delay = Math.min(delay * POLL_BACKOFF_FACTOR, MAX_POLL_DELAY_MS / scale);
  }
  return { action: current, timedOut: false };
}

/** Fails the operation (keeping the resource in state) when a waited-for action did not succeed. */
async function settle(
  settings: Settings,
  inputs: CollectionInputs,
  result: CollectResult,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  let action = result.action;
  if (inputs.waitForCompletion && action.status !== "Succeeded") {
    const waited = await waitForFinal(settings, action, inputs.completionTimeoutInMinutes);
    action = waited.action;
    const outs = collectionOutputs(inputs, action, result.adopted);
    if (waited.timedOut) {
      throw new CollectionIncompleteError(
        `Collection ${action.id} on device ${inputs.machineId} is still ${action.status} after ${inputs.completionTimeoutInMinutes} minutes (completionTimeoutInMinutes). It is kept in state and keeps running in Defender: run \`pulumi refresh\` later to see its status, or raise completionTimeoutInMinutes.`,
        action.id,
        outs,
      );
    }
    if (action.status !== "Succeeded") {
      throw new CollectionIncompleteError(
        `Collection ${action.id} on device ${inputs.machineId} ended ${action.status}: ${statusHint(action)}. It is kept in state with its action ID; to collect again, change \`triggers\` (a new collection replaces this one), or set waitForCompletion: false to accept this outcome.`,
        action.id,
        outs,
      );
    }
  }
  return { id: action.id, outs: collectionOutputs(inputs, action, result.adopted) };
}

/**
 * Looks up the action named by `adoptActionId` and checks it is a collection on the declared device:
 * the way to bring an existing action into state, since dynamic resources cannot be imported.
 */
async function adoptExisting(settings: Settings, inputs: CollectionInputs): Promise<MachineAction> {
  const id = inputs.adoptActionId as string;
  const action = await getDefenderClient(settings).getMachineAction(id);
  if (!action) {
    throw new DefenderError(
      "MDE_NOT_FOUND",
      `adoptActionId ${id} does not exist in this tenant: check the ID in Defender's action center, or remove adoptActionId to start a new collection.`,
      { operation: "getAction" },
    );
  }
  if (action.type !== COLLECT_INVESTIGATION_PACKAGE || action.machineId.toLowerCase() !== inputs.machineId) {
    throw new DefenderError(
      "MDE_BAD_REQUEST",
      `adoptActionId ${id} is a ${action.type} action on device ${action.machineId}, not an investigation package collection on device ${inputs.machineId}: fix machineId or adoptActionId.`,
      { operation: "getAction" },
    );
  }
  return action;
}

/** Cleans an error for the engine's output: redacted message, stable code kept in front. */
function surface(error: unknown): Error {
  if (error instanceof CollectionIncompleteError) return error;
  if (isDefenderError(error)) {
    const clean = new Error(redact(`${error.message} [${error.code}]`));
    return clean;
  }
  return new Error(redact(error instanceof Error ? error.message : String(error)));
}

/** The provider implementation. Methods match `pulumi.dynamic.ResourceProvider`. */
export const collectionProvider = {
  /** Stores the stack config synchronously (concurrent first calls must see it). */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    // Only the engine calls configure, so this is the provider process: stop it with its engine.
    exitWhenEngineGone();
    const config: Record<string, string | undefined> = {};
    for (const key of CONFIG_KEYS) {
      const value = req.config.get(key);
      if (value !== undefined) config[key] = String(value);
    }
    configured = config;
  },

  /** Validates inputs and settings at preview: no API call. */
  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkCollectionInputs(news);
    try {
      currentSettings();
    } catch (error) {
      // Report the failure on the config key at fault, so the engine names it.
      const key =
        (isDefenderError(error) ? error.configKey : undefined) ??
        /Invalid (mde:\w+)/.exec(error instanceof Error ? error.message : "")?.[1] ??
        "mde";
      failures.push({ property: key, reason: surface(error).message });
    }
    return { inputs, failures };
  },

  /** Replaces on machineId, comment or triggers; other inputs only update state. */
  async diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult> {
    const { changed, replaces: diffReplaces } = diffCollectionInputs(olds, news);
    // Dropping adoptActionId after it did its job (it names this very action) changes nothing real:
    // the resource keeps its action instead of starting a new collection.
    const adoptedThis = collectionInputs(olds).adoptActionId === id && news.adoptActionId === undefined;
    const replaces = adoptedThis ? diffReplaces.filter((name) => name !== "adoptActionId") : diffReplaces;
    return {
      changes: changed.length > 0,
      replaces,
      // With cancelOnDelete, cancel the old action before starting the new one: the device
      // would otherwise refuse the new collection while the old one runs.
      deleteBeforeReplace: replaces.length > 0 && collectionInputs(news).cancelOnDelete,
    };
  },

  /** Starts the collection once; with waitForCompletion, returns when it is final. */
  async create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    try {
      const settings = currentSettings();
      const inputs = collectionInputs(news);
      let result: CollectResult;
      if (inputs.adoptActionId) {
        result = { action: await adoptExisting(settings, inputs), adopted: true };
        return await settle(settings, inputs, result);
      }
      try {
        result = await getDefenderClient(settings).collectInvestigationPackage(
          inputs.machineId,
          inputs.comment,
          {
            adoptRunning: inputs.onConflict === "adopt",
          },
        );
      } catch (error) {
        if (!isDefenderError(error, "MDE_ACTIVE_REQUEST_EXISTS")) throw error;
        const running = (error as DefenderError & { action?: MachineAction }).action;
        // Defender keeps only the comment, so this is a hint, not a proof: an interrupted deployment
        // (the engine lists its pending creates) leaves exactly such an action behind.
        const interrupted =
          running?.requestorComment === inputs.comment
            ? " It carries this resource's comment: if an earlier deployment was interrupted, it is probably that deployment's collection."
            : "";
        const fix =
          inputs.onConflict === "fail"
            ? `onConflict is "fail": wait for it to finish, set onConflict: "adopt" to take it over${running ? `, or declare it with adoptActionId: "${running.id}"` : ""}.${interrupted}`
            : "It could not be looked up to adopt it: retry in a minute.";
        throw new DefenderError("MDE_ACTIVE_REQUEST_EXISTS", `${error.message} ${fix}`, {
          ...(error.status !== undefined ? { status: error.status } : {}),
          operation: "collect",
        });
      }
      return await settle(settings, inputs, result);
    } catch (error) {
      throw surface(error);
    }
  },

  /** Refreshes every output from the action; a deleted action leaves state. */
  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    try {
      const action = await getDefenderClient(currentSettings()).getMachineAction(id);
      if (!action) return { id: "", props: {} };
      return { id, props: collectionOutputs(collectionInputs(props), action, props.adopted === true) };
    } catch (error) {
      throw surface(error);
    }
  },

  /** Behaviour-only changes: new state, no API call, unless a failed wait is being retried. */
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    try {
      const inputs = collectionInputs(news);
      const status = typeof olds.status === "string" ? olds.status : "Pending";
      const known: MachineAction = {
        id,
        type: "CollectInvestigationPackage",
        status: status as MachineAction["status"],
        machineId: inputs.machineId,
        creationDateTimeUtc: String(olds.creationDateTimeUtc ?? ""),
        computerDnsName: olds.computerDnsName as string | undefined,
        requestor: olds.requestor as string | undefined,
        requestorComment: olds.requestorComment as string | undefined,
        lastUpdateDateTimeUtc: olds.lastUpdateDateTimeUtc as string | undefined,
      };
      if (!inputs.waitForCompletion || status === "Succeeded") {
        return { outs: collectionOutputs(inputs, known, olds.adopted === true) };
      }
      // The declared state is a completed collection: look again (an earlier wait may have failed
      // or timed out, and the engine retries resources whose initialisation failed).
      const settings = currentSettings();
      // A final status cannot change: report it again without calling the API. A running one is
      // looked up and waited for, continuing the wait that create started.
      const fresh = isFinalStatus(status)
        ? known
        : ((await getDefenderClient(settings).getMachineAction(id)) ?? known);
      const settled = await settle(settings, inputs, { action: fresh, adopted: olds.adopted === true });
      return { outs: settled.outs };
    } catch (error) {
      throw surface(error);
    }
  },

  /** Drops state; with cancelOnDelete, cancels an action that is still running. */
  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    const inputs = collectionInputs(props);
    if (!inputs.cancelOnDelete || isFinalStatus(props.status as string | undefined)) return;
    try {
      const stack = inputs.pulumiStack ? `Pulumi stack ${inputs.pulumiStack}` : "Pulumi";
      await getDefenderClient(currentSettings()).cancelMachineAction(
        id,
        `Cancelled by ${stack}: the collection resource was deleted or replaced (cancelOnDelete).`,
      );
    } catch (error) {
      if (isDefenderError(error, "MDE_NOT_FOUND")) return;
      throw surface(error);
    }
  },
};
