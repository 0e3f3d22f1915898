/**
 * The `DeviceIsolation` dynamic provider: the device is isolated while the resource exists and released
 * when it is destroyed. Isolate and release are posted at most once each (marker, look-up after a doubtful
 * answer), never while the other is pending on the device, and a device released outside the stack shows
 * as `isolated: false` on refresh and is isolated again by the next `up`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { getDefenderClient } from "../../client/sharedClients";
import type { MachineAction } from "../../client/wireTypes";
import { isDefenderError } from "../../core/errors";
import type { Settings } from "../../settings/resolveSettings";
import { markedCommentOf, markerTenant } from "../shared/actionMarker";
import { actionOutputs } from "../shared/actionOutputs";
import { actionProvider } from "../shared/actionProvider";
import { resolveTarget, withStoredTarget } from "../shared/deviceTarget";
import { engineNotice } from "../shared/engineLog";
import { ResourceIncompleteError } from "../shared/incompleteError";
import { currentSettings, profileOf } from "../shared/providerSettings";
import { settleAction } from "../shared/settleAction";
import { noticeTakeOver } from "../shared/takeOverNotice";
import { waitForFinal } from "../shared/waitForFinal";
import {
  checkIsolationInputs,
  diffIsolationInputs,
  type IsolationInputs,
  isolationInputs,
} from "./isolationInputs";
import { ISOLATE, isolationOf, UNISOLATE, waitUntilSettled } from "./isolationState";

/** An isolation or release that exists but did not end well: kept in state, reported as failed. */
export class IsolationIncompleteError extends ResourceIncompleteError {
  override readonly name = "IsolationIncompleteError";
  override readonly code = "MDE_ISOLATION_INCOMPLETE";
}

/** Outputs stored for an isolation: the action's, the device's state, and the declared name kept. */
function isolationOutputs(
  inputs: IsolationInputs,
  action: MachineAction,
  isolated: boolean,
  adopted: boolean,
): Record<string, unknown> {
  const name = action.computerDnsName ?? inputs.computerDnsName;
  return actionOutputs(inputs, action, adopted, { isolated, ...(name ? { computerDnsName: name } : {}) });
}

function hint(action: MachineAction): string {
  if (action.status === "TimeOut")
    return "the device did not pick the action up in time; it is probably offline";
  if (action.status === "Cancelled") return "it was cancelled in Defender";
  return "the device reported a failure; check the action in Defender's action center";
}

/**
 * Posts an isolate once (after any pending release of the device has ended) and settles it.
 * @param after - The isolate this one follows (a re-isolation after a release outside the stack): part of
 *   the marker, so the earlier isolate is not taken for this one.
 */
async function isolate(
  settings: Settings,
  inputs: IsolationInputs,
  props: Record<string, unknown>,
  after?: string,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  const client = getDefenderClient(settings);
  const timing = { timeoutInMinutes: inputs.completionTimeoutInMinutes, timeScale: settings.timeScale };
  await waitUntilSettled(client, UNISOLATE, inputs.machineId, { ...timing, before: "an isolation" });
  const comment = markedCommentOf(inputs, {
    kind: after ? `isolate after ${after}` : "isolate",
    tenant: markerTenant(settings),
  });
  // An isolation someone else already started on the device is taken over (`adopted`): isolating twice
  // gains nothing.
  let result = await client.postMachineAction(
    "isolate",
    inputs.machineId,
    comment,
    { IsolationType: inputs.isolationType },
    { adoptRunning: true, findEarlier: true, notice: engineNotice("DeviceIsolation", inputs) },
  );
  if (result.takenOver) {
    result = { ...result, adopted: true };
    const subject = { className: "DeviceIsolation", fresh: "change `triggers` to a value not used before" };
    await noticeTakeOver(
      { ...subject, resourceName: inputs.resourceName, pulumiStack: inputs.pulumiStack },
      result.action,
    );
  }
  return settleAction(settings, result.action, props, {
    wait: inputs.waitForCompletion,
    timeoutInMinutes: inputs.completionTimeoutInMinutes,
    timeoutInput: "completionTimeoutInMinutes",
    noun: "Isolation",
    machineId: inputs.machineId,
    outputs: (action) => isolationOutputs(inputs, action, action.status === "Succeeded", result.adopted),
    hint,
    whatNext:
      "to isolate again, change `triggers`, or run `pulumi refresh` and `pulumi up` once the device is back.",
    incomplete: (message, id, outs, stored) => new IsolationIncompleteError(message, id, outs, stored),
  });
}

/** The provider implementation. Methods match `pulumi.dynamic.ResourceProvider`. */
export const isolationProvider = actionProvider({
  check: checkIsolationInputs,

  /** Replaces on the device, comment, type or triggers; a device released outside the stack is an update. */
  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult> {
    const { changed, replaces, released } = diffIsolationInputs(olds, news);
    // The old isolation is released before the new one is posted: never both at once on one device.
    return { changes: changed.length > 0 || released, replaces, deleteBeforeReplace: replaces.length > 0 };
  },

  /** Resolves the device, waits out a pending release, isolates once; with waitForCompletion, until final. */
  async create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    const settings = currentSettings(profileOf(news));
    const inputs = await resolveTarget(settings, isolationInputs(news));
    return isolate(settings, inputs, news);
  },

  /** Reads the isolate action and the device's isolation (its latest succeeded Isolate or Unisolate). */
  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const client = getDefenderClient(currentSettings(profileOf(props)));
    const actionId = typeof props.actionId === "string" ? props.actionId : id;
    const action = await client.statusReader.read(actionId, {
      createdAt: typeof props.creationDateTimeUtc === "string" ? props.creationDateTimeUtc : undefined,
      type: ISOLATE,
    });
    if (!action) return { id: "", props: {} };
    const inputs = withStoredTarget(isolationInputs(props), props);
    const fact = await isolationOf(client, action.machineId || inputs.machineId);
    return { id, props: isolationOutputs(inputs, action, fact.isolated, props.adopted === true) };
  },

  /** Isolates again a device released outside the stack; otherwise only stored inputs change. */
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const settings = currentSettings(profileOf(news));
    const inputs = withStoredTarget(isolationInputs(news), olds);
    const { released } = diffIsolationInputs(olds, news);
    if (released) {
      const previous = typeof olds.actionId === "string" ? olds.actionId : id;
      return { outs: (await isolate(settings, inputs, news, previous)).outs };
    }
    const { __provider: _provider, ...stored } = olds;
    return { outs: { ...stored, ...inputs } };
  },

  /**
   * With releaseOnDelete (the default): waits out a pending isolate, posts one release (found again by its
   * marker after a lost answer) and waits for it to succeed. A failed release keeps the resource in state.
   */
  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    const inputs = isolationInputs(props);
    if (!inputs.releaseOnDelete) return;
    const settings = currentSettings(profileOf(props));
    const client = getDefenderClient(settings);
    const timing = { timeoutInMinutes: inputs.completionTimeoutInMinutes, timeScale: settings.timeScale };
    await waitUntilSettled(client, ISOLATE, inputs.machineId, { ...timing, before: "a release" });
    const fact = await isolationOf(client, inputs.machineId);
    if (!fact.isolated) return; // released already (outside the stack, or the isolate never succeeded)
    const actionId = typeof props.actionId === "string" ? props.actionId : id;
    const stack = inputs.pulumiStack ? `Pulumi stack ${inputs.pulumiStack}` : "Pulumi";
    const reason = `Released by ${stack}: the isolation resource was deleted or replaced (releaseOnDelete).`;
    const comment = markedCommentOf(inputs, {
      text: reason,
      kind: `release of ${actionId}`,
      tenant: markerTenant(settings),
    });
    let release: MachineAction;
    try {
      ({ action: release } = await client.postMachineAction(
        "unisolate",
        inputs.machineId,
        comment,
        {},
        { adoptRunning: true, findEarlier: true, notice: engineNotice("DeviceIsolation", inputs) },
      ));
    } catch (error) {
      if (isDefenderError(error, "MDE_NOT_FOUND")) return; // the device is gone
      throw error;
    }
    const waited = await waitForFinal(client.statusReader, release, timing);
    if (waited.action.status !== "Succeeded") {
      throw new IsolationIncompleteError(
        `Releasing device ${inputs.machineId} from isolation (action ${release.id}) ${waited.timedOut ? `is still ${waited.action.status} after ${inputs.completionTimeoutInMinutes} minutes` : `ended ${waited.action.status}`}: the device may still be isolated. The resource stays in state; run \`pulumi destroy\` again to wait for it (no second release is sent), or release the device in Defender's action center.`,
        id,
        props,
        props,
      );
    }
  },
});
