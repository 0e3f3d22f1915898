/**
 * The `LiveResponseFileCollection` dynamic provider: one live response session per resource, posted at
 * most once (marker, look-up after a doubtful answer), with a GetFile command per path; followed until it
 * ends; then each completed command's file stored through the evidence transfer with its manifest. A path
 * whose command failed is reported as such, and the resource then fails as a partial failure that keeps
 * every collected file in state. Files are evidence: delete keeps them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { getDefenderClient } from "../../client/sharedClients";
import { isFinalStatus, type MachineAction } from "../../client/wireTypes";
import { DefenderError, isDefenderError } from "../../core/errors";
import type { Settings } from "../../settings/resolveSettings";
import { destinationFor } from "../evidence/destinationFor";
import type { EvidenceDestination } from "../evidence/evidenceDestination";
import { asRunningTransfer, transferCancellation } from "../evidence/transferCancellation";
import { markedCommentOf, markerTenant } from "../shared/actionMarker";
import { actionProvider } from "../shared/actionProvider";
import { resolveTarget, withStoredTarget } from "../shared/deviceTarget";
import { engineNotice } from "../shared/engineLog";
import { currentSettings, profileOf } from "../shared/providerSettings";
import { surfaceError } from "../shared/surfaceError";
import { noticeTakeOver } from "../shared/takeOverNotice";
import { waitForFinal } from "../shared/waitForFinal";
import { type CollectedFile, commandRecords, storeFile } from "./liveResponseFiles";
import {
  checkLiveResponseInputs,
  diffLiveResponseInputs,
  type LiveResponseInputs,
  liveResponseInputs,
} from "./liveResponseInputs";
import {
  incompleteMessage,
  isSettled,
  LiveResponseIncompleteError,
  liveResponseOutputs,
  storedFiles,
  storedPlace,
} from "./liveResponseOutputs";

/** MachineAction type of a live response session. */
const LIVE_RESPONSE = "LiveResponse";

/**
 * Posts the session once. A device runs one session at a time (400 ActiveRequestAlreadyExists): a session
 * already running there is waited for, within `timeoutInMinutes`, and the post is made once more.
 */
async function postSession(
  settings: Settings,
  inputs: LiveResponseInputs,
): Promise<{ action: MachineAction; adopted: boolean }> {
  const client = getDefenderClient(settings);
  // The paths are part of what is declared: new paths are a new session, never an earlier one's.
  const comment = markedCommentOf(inputs, {
    kind: `files ${JSON.stringify(inputs.paths)}`,
    tenant: markerTenant(settings),
  });
  const Commands = inputs.paths.map((path) => ({ type: "GetFile", params: [{ key: "Path", value: path }] }));
  const post = async () => {
    const result = await client.postMachineAction(
      "runLiveResponse",
      inputs.machineId,
      comment,
      { Commands },
      { findEarlier: true, notice: engineNotice("LiveResponseFileCollection", inputs) },
    );
    if (result.takenOver) {
      await noticeTakeOver(
        {
          className: "LiveResponseFileCollection",
          resourceName: inputs.resourceName,
          pulumiStack: inputs.pulumiStack,
          fresh: "change `triggers` to a value not used before",
        },
        result.action,
      );
    }
    return { action: result.action, adopted: result.takenOver === true };
  };
  try {
    return await post();
  } catch (error) {
    if (!isDefenderError(error, "MDE_ACTIVE_REQUEST_EXISTS")) throw error;
    const running =
      (error.action as MachineAction | undefined) ??
      (await client.findRunningAction(LIVE_RESPONSE, inputs.machineId));
    if (!running) return await post();
    const timing = { timeoutInMinutes: inputs.timeoutInMinutes, timeScale: settings.timeScale };
    const waited = await waitForFinal(client.statusReader, running, timing);
    if (waited.timedOut) {
      throw new DefenderError(
        "MDE_ACTIVE_REQUEST_EXISTS",
        `Device ${inputs.machineId} still runs another live response session (action ${running.id}, ${waited.action.status}, requested by ${running.requestor ?? "unknown"}) after ${inputs.timeoutInMinutes} minutes (timeoutInMinutes), and a device runs one session at a time. Nothing was posted: run \`pulumi up\` again once it has ended, or cancel it in Defender's action center.`,
        { operation: "runLiveResponse", action: waited.action },
      );
    }
    return await post();
  }
}

/**
 * Follows the session until it ends, then stores every completed command's file not stored yet
 * (`previous` records that are collected and intact are kept as they are).
 * @throws LiveResponseIncompleteError when a path was not collected, or the session did not end in time.
 */
async function finish(
  settings: Settings,
  inputs: LiveResponseInputs,
  posted: MachineAction,
  adopted: boolean,
  previous: CollectedFile[],
  props: Record<string, unknown>,
  prepared?: EvidenceDestination,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  const client = getDefenderClient(settings);
  let action = posted;
  if (!isFinalStatus(action.status)) {
    const pending = commandRecords(action, inputs.paths);
    const keep = (message: string) =>
      new LiveResponseIncompleteError(
        message,
        action.id,
        liveResponseOutputs(inputs, action, adopted, pending),
        props,
      );
    let waited: Awaited<ReturnType<typeof waitForFinal>>;
    try {
      waited = await waitForFinal(client.statusReader, action, {
        timeoutInMinutes: inputs.timeoutInMinutes,
        timeScale: settings.timeScale,
      });
    } catch (error) {
      throw keep(
        `Live response ${action.id} on device ${inputs.machineId} was started, but following it failed: ${surfaceError(error).message} It is kept in state with its action ID: run \`pulumi up\` again to go on waiting and collect its files (no second session is posted).`,
      );
    }
    action = waited.action;
    if (waited.timedOut) {
      throw keep(
        `Live response ${action.id} on device ${inputs.machineId} is still ${action.status} after ${inputs.timeoutInMinutes} minutes (timeoutInMinutes): no file was collected yet. It is kept in state and stays queued in Defender: run \`pulumi up\` again later to go on waiting and collect its files, or raise timeoutInMinutes.`,
      );
    }
  }
  const destination = prepared ?? destinationFor(settings, inputs);
  if (!prepared) await destination.prepare?.();
  const context = {
    settings,
    destination,
    blob: inputs.blobContainerUrl !== undefined,
    pulumiStack: inputs.pulumiStack,
    // A stop signal to the provider process aborts a transfer and removes its partial file.
    signal: transferCancellation(),
  };
  const files = await asRunningTransfer(async () => {
    const out: CollectedFile[] = [];
    for (const record of commandRecords(action, inputs.paths)) {
      const before = previous.find((f) => f.index === record.index && f.path === record.path);
      if (record.status !== "pending") out.push(record);
      else if (before?.status === "collected" && isSettled(before)) out.push(before);
      else out.push(await storeFile(context, action, record));
    }
    return out;
  });
  const outs = liveResponseOutputs(inputs, action, adopted, files);
  if (files.some((f) => f.status !== "collected")) {
    throw new LiveResponseIncompleteError(incompleteMessage(inputs, action, files), action.id, outs, props);
  }
  return { id: action.id, outs };
}

/** The provider implementation. Methods match `pulumi.dynamic.ResourceProvider`. */
export const liveResponseProvider = actionProvider({
  check: checkLiveResponseInputs,

  /** New device, comment, paths, triggers or destination: a new session. A drifted or unstored file: an update. */
  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult> {
    const { changed, replaces } = diffLiveResponseInputs(olds, news);
    const unsettled = storedFiles(olds).some((f) => !isSettled(f));
    return { changes: changed.length > 0 || unsettled, replaces, deleteBeforeReplace: false };
  },

  /** Resolves the device, checks the destination, posts one session, follows it and stores its files. */
  async create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    const settings = currentSettings(profileOf(news));
    const inputs = await resolveTarget(settings, liveResponseInputs(news));
    // Before posting: a refused destination (e.g. a mutable container) costs no session.
    const destination = destinationFor(settings, inputs);
    await destination.prepare?.();
    const { action, adopted } = await postSession(settings, inputs);
    return finish(settings, inputs, action, adopted, [], news, destination);
  },

  /**
   * Looks at each stored file again (`fileStatus`: intact, missing, altered, or its manifest missing or
   * altered); a session still running is read for its status. No link is fetched.
   */
  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const settings = currentSettings(profileOf(props));
    const inputs = withStoredTarget(liveResponseInputs(props), props);
    const outs: Record<string, unknown> = { ...props };
    if (typeof props.status === "string" && !isFinalStatus(props.status)) {
      const action = await getDefenderClient(settings).statusReader.read(id, {
        createdAt: typeof props.creationDateTimeUtc === "string" ? props.creationDateTimeUtc : undefined,
        type: LIVE_RESPONSE,
      });
      if (action) outs.status = action.status;
    }
    const destination = destinationFor(settings, inputs);
    const files: CollectedFile[] = [];
    for (const file of storedFiles(props)) {
      const place = file.status === "collected" ? storedPlace(file) : undefined;
      const fileStatus = place ? await destination.inspect(place.location, place.expected) : undefined;
      files.push(fileStatus ? { ...file, fileStatus } : file);
    }
    return { id, props: { ...outs, files } };
  },

  /** Stores again, from the same session, what is missing or was not stored; otherwise only inputs change. */
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = withStoredTarget(liveResponseInputs(news), olds);
    const files = storedFiles(olds);
    const { __provider: _provider, ...stored } = olds;
    if (files.length > 0 && files.every((f) => f.status === "collected" && isSettled(f))) {
      return { outs: { ...stored, ...inputs } };
    }
    // Never a second session: the same one is followed again and its results fetched again.
    const settings = currentSettings(profileOf(olds));
    const actionId = typeof olds.actionId === "string" ? olds.actionId : id;
    const action = await getDefenderClient(settings).statusReader.read(actionId, {
      createdAt: typeof olds.creationDateTimeUtc === "string" ? olds.creationDateTimeUtc : undefined,
      type: LIVE_RESPONSE,
    });
    if (!action) {
      throw new DefenderError(
        "MDE_NOT_FOUND",
        `Live response ${actionId} no longer exists in Defender, so its files cannot be fetched again. Change \`triggers\` to run a new session.`,
        { operation: "getAction" },
      );
    }
    return { outs: (await finish(settings, inputs, action, olds.adopted === true, files, news)).outs };
  },

  /** Evidence is never deleted: the files stay, only state is dropped; the session is left as it is. */
  async delete(): Promise<void> {},
});
