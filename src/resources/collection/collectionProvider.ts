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
import { markedCommentOf, markerTenant } from "../shared/actionMarker";
import { actionProvider } from "../shared/actionProvider";
import { resolveTarget, withStoredTarget } from "../shared/deviceTarget";
import { engineNotice } from "../shared/engineLog";
import { currentSettings, profileOf } from "../shared/providerSettings";
import { settleAction } from "../shared/settleAction";
import { noticeTakeOver } from "../shared/takeOverNotice";
import {
  type CollectionInputs,
  checkCollectionInputs,
  collectionInputs,
  diffCollectionInputs,
} from "./collectionInputs";
import { CollectionIncompleteError, collectionOutputs, statusHint } from "./collectionOutputs";

/** Waits when asked; fails the operation (keeping the resource in state) when the collection did not succeed. */
function settle(
  settings: Settings,
  inputs: CollectionInputs,
  result: CollectResult,
  props: Record<string, unknown>,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  return settleAction(settings, result.action, props, {
    wait: inputs.waitForCompletion,
    timeoutInMinutes: inputs.completionTimeoutInMinutes,
    timeoutInput: "completionTimeoutInMinutes",
    noun: "Collection",
    machineId: inputs.machineId,
    outputs: (action) => collectionOutputs(inputs, action, result.adopted),
    hint: statusHint,
    whatNext:
      "to collect again, change `triggers` (a new collection replaces this one), or set waitForCompletion: false to accept this outcome.",
    incomplete: (message, id, outs, stored) => new CollectionIncompleteError(message, id, outs, stored),
  });
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
export const collectionProvider = actionProvider({
  /** Validates inputs at preview: no API call. */
  check: checkCollectionInputs,

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
    const settings = currentSettings(profileOf(news));
    // The device first: a name is resolved (and an Active device required) before anything is posted.
    const inputs = await resolveTarget(settings, collectionInputs(news));
    let result: CollectResult;
    if (inputs.adoptActionId) {
      result = { action: await adoptExisting(settings, inputs), adopted: true };
      return await settle(settings, inputs, result, news);
    }
    // With a profile the marker names the tenant too: one program acts in several tenants.
    const comment = markedCommentOf(inputs, { tenant: markerTenant(settings) });
    try {
      result = await getDefenderClient(settings).collectInvestigationPackage(inputs.machineId, comment, {
        notice: engineNotice("InvestigationPackageCollection", inputs),
        adoptRunning: inputs.onConflict === "adopt",
        findEarlier: true,
      });
    } catch (error) {
      if (!isDefenderError(error, "MDE_ACTIVE_REQUEST_EXISTS")) throw error;
      const running = (error as DefenderError & { action?: MachineAction }).action;
      // Defender keeps only the comment. The same comment without this resource's marker is a hint, not
      // a proof: a collection started by hand, or by a version of pulumi-mde from before markers.
      const sameComment =
        typeof running?.requestorComment === "string" && running.requestorComment.startsWith(inputs.comment);
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
    if (result.takenOver) {
      result = { ...result, adopted: true };
      await noticeTakeOver(
        {
          className: "InvestigationPackageCollection",
          resourceName: inputs.resourceName,
          pulumiStack: inputs.pulumiStack,
          fresh: "change `triggers` to a value not used before",
        },
        result.action,
      );
    }
    return await settle(settings, inputs, result, news);
  },

  /** Refreshes every output from the action; a deleted action leaves state. */
  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const action = await getDefenderClient(currentSettings(profileOf(props))).statusReader.read(id, {
      createdAt: typeof props.creationDateTimeUtc === "string" ? props.creationDateTimeUtc : undefined,
      type: COLLECT_INVESTIGATION_PACKAGE,
    });
    if (!action) return { id: "", props: {} };
    return { id, props: collectionOutputs(collectionInputs(props), action, props.adopted === true) };
  },

  /** Behaviour-only changes: new state, no API call, unless a failed wait is being retried. */
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
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
    const settings = currentSettings(profileOf(news));
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
  },

  /** Drops state; with cancelOnDelete, cancels an action that is still running. */
  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    const inputs = collectionInputs(props);
    if (!inputs.cancelOnDelete || isFinalStatus(props.status as string | undefined)) return;
    try {
      const stack = inputs.pulumiStack ? `Pulumi stack ${inputs.pulumiStack}` : "Pulumi";
      await getDefenderClient(currentSettings(profileOf(props))).cancelMachineAction(
        id,
        `Cancelled by ${stack}: the collection resource was deleted or replaced (cancelOnDelete).`,
      );
    } catch (error) {
      if (!isDefenderError(error, "MDE_NOT_FOUND")) throw error;
    }
  },
});
