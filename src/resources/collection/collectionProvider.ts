/**
 * The `InvestigationPackageCollection` dynamic provider as it runs in the provider process.
 *
 * The serialized provider in state only forwards to this module (loaded by package name), so all
 * process-wide state lives in the modules it uses: settings from `configure`, one Defender client
 * (token cache, rate limiter, HTTP agent) per application, tenant and host.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CollectResult } from "../../client/defenderClient";
import { getDefenderClient } from "../../client/sharedClients";
import { COLLECT_INVESTIGATION_PACKAGE, isFinalStatus, type MachineAction } from "../../client/wireTypes";
import { DefenderError, isDefenderError } from "../../core/errors";
import type { Settings } from "../../settings/resolveSettings";
import { checkedWithSettings, configureProcess, currentSettings } from "../shared/providerSettings";
import { surfaceError } from "../shared/surfaceError";
import { waitForFinal } from "../shared/waitForFinal";
import {
  type CollectionInputs,
  checkCollectionInputs,
  collectionInputs,
  diffCollectionInputs,
} from "./collectionInputs";
import { collectionMarker, markedComment } from "./collectionMarker";
import { CollectionIncompleteError, statusHint } from "./collectionOutputs";
// collectionOutputs through collectionTarget: it keeps a declared computer name while Defender reports none.
import { collectionOutputs, resolveTarget, withStoredTarget } from "./collectionTarget";

/** Fails the operation (keeping the resource in state) when a waited-for action did not succeed. */
async function settle(
  settings: Settings,
  inputs: CollectionInputs,
  result: CollectResult,
  props: Record<string, unknown>,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  let action = result.action;
  if (inputs.waitForCompletion && action.status !== "Succeeded") {
    let waited: Awaited<ReturnType<typeof waitForFinal>>;
    try {
      waited = await waitForFinal(getDefenderClient(settings).statusReader, action, {
        timeoutInMinutes: inputs.completionTimeoutInMinutes,
        timeScale: settings.timeScale,
      });
    } catch (error) {
      // The action exists: whatever broke the wait (reads out of retries, a token failure, a 403), the
      // engine must record it, or the next run would collect a second time.
      throw new CollectionIncompleteError(
        `Collection ${action.id} on device ${inputs.machineId} was started, but following it failed: ${surfaceError(error).message} It is kept in state with its action ID: run \`pulumi up\` again to go on waiting, or \`pulumi refresh\` to see its status.`,
        action.id,
        collectionOutputs(inputs, action, result.adopted),
        props,
      );
    }
    action = waited.action;
    const outs = collectionOutputs(inputs, action, result.adopted);
    if (waited.timedOut) {
      throw new CollectionIncompleteError(
        `Collection ${action.id} on device ${inputs.machineId} is still ${action.status} after ${inputs.completionTimeoutInMinutes} minutes (completionTimeoutInMinutes). It is kept in state and keeps running in Defender: run \`pulumi refresh\` later to see its status, or raise completionTimeoutInMinutes.`,
        action.id,
        outs,
        props,
      );
    }
    if (action.status !== "Succeeded") {
      throw new CollectionIncompleteError(
        `Collection ${action.id} on device ${inputs.machineId} ended ${action.status}: ${statusHint(action)}. It is kept in state with its action ID; to collect again, change \`triggers\` (a new collection replaces this one), or set waitForCompletion: false to accept this outcome.`,
        action.id,
        outs,
        props,
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
  const action = await getDefenderClient(settings).statusReader.read(id);
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

/** The provider implementation. Methods match `pulumi.dynamic.ResourceProvider`. */
export const collectionProvider = {
  /** Stores the stack config synchronously (concurrent first calls must see it). */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    configureProcess(req);
  },

  /** Validates inputs and settings at preview: no API call. */
  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    return checkedWithSettings(checkCollectionInputs(news));
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
      // The device first: a name is resolved (and an Active device required) before anything is posted.
      const inputs = await resolveTarget(settings, collectionInputs(news));
      let result: CollectResult;
      if (inputs.adoptActionId) {
        result = { action: await adoptExisting(settings, inputs), adopted: true };
        return await settle(settings, inputs, result, news);
      }
      const comment = markedComment(
        inputs.comment,
        collectionMarker({
          stack: inputs.pulumiStack ?? "",
          name: inputs.resourceName ?? "",
          machineId: inputs.machineId,
          comment: inputs.comment,
          triggers: inputs.triggers,
        }),
      );
      try {
        result = await getDefenderClient(settings).collectInvestigationPackage(inputs.machineId, comment, {
          adoptRunning: inputs.onConflict === "adopt",
          findEarlier: true,
        });
      } catch (error) {
        if (!isDefenderError(error, "MDE_ACTIVE_REQUEST_EXISTS")) throw error;
        const running = (error as DefenderError & { action?: MachineAction }).action;
        // Defender keeps only the comment. The same comment without this resource's marker is a hint, not
        // a proof: a collection started by hand, or by a version of pulumi-mde from before markers.
        const sameComment =
          typeof running?.requestorComment === "string" &&
          running.requestorComment.startsWith(inputs.comment);
        const interrupted = sameComment
          ? " It carries this resource's comment but not its marker: if an earlier deployment started it, declare it with adoptActionId."
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
      return await settle(settings, inputs, result, news);
    } catch (error) {
      throw surfaceError(error);
    }
  },

  /** Refreshes every output from the action; a deleted action leaves state. */
  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    try {
      const action = await getDefenderClient(currentSettings()).statusReader.read(id, {
        createdAt: typeof props.creationDateTimeUtc === "string" ? props.creationDateTimeUtc : undefined,
        type: COLLECT_INVESTIGATION_PACKAGE,
      });
      if (!action) return { id: "", props: {} };
      return { id, props: collectionOutputs(collectionInputs(props), action, props.adopted === true) };
    } catch (error) {
      throw surfaceError(error);
    }
  },

  /** Behaviour-only changes: new state, no API call, unless a failed wait is being retried. */
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    try {
      const inputs = withStoredTarget(collectionInputs(news), olds);
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
        : ((await getDefenderClient(settings).statusReader.read(id, {
            createdAt: known.creationDateTimeUtc,
            type: COLLECT_INVESTIGATION_PACKAGE,
          })) ?? known);
      const settled = await settle(settings, inputs, { action: fresh, adopted: olds.adopted === true }, news);
      return { outs: settled.outs };
    } catch (error) {
      throw surfaceError(error);
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
      throw surfaceError(error);
    }
  },
};
