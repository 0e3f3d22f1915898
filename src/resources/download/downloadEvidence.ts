/**
 * One evidence download from start to end: wait until the collection has succeeded, fetch its link right
 * before transferring, stream and prove the package, then put it and its manifest in place. The link
 * budget (GetPackageUri, 2/min and 120/h) is the client's: held only while a link is requested, never
 * while bytes flow, so one package transfers while the next download waits for its link.
 */

import { dispatcherFor } from "../../client/clientParts";
import type { DefenderClient } from "../../client/defenderClient";
import { getDefenderClient } from "../../client/sharedClients";
import { COLLECT_INVESTIGATION_PACKAGE, isFinalStatus, type MachineAction } from "../../client/wireTypes";
import type { Settings } from "../../settings/resolveSettings";
import { destinationFor } from "../evidence/destinationFor";
import type {
  EvidenceDestination,
  EvidenceLocation,
  ExistingEvidence,
} from "../evidence/evidenceDestination";
import { EvidenceError } from "../evidence/evidenceError";
import { buildEvidenceManifest, type EvidenceManifest, manifestText } from "../evidence/evidenceManifest";
import { packageFileName } from "../evidence/packageFileName";
import { transferPackage } from "../evidence/packageTransfer";
import { TOOL_NAME, toolVersion } from "../evidence/toolVersion";
import { transferLimitsOf } from "../evidence/transferInputs";
import { verifyZipEntries } from "../evidence/zipIntegrity";
import { waitForFinal } from "../shared/waitForFinal";
import type { DownloadInputs } from "./downloadInputs";

/** What a finished download produced. */
export interface DownloadedEvidence {
  /** Where the package is. */
  location: EvidenceLocation;
  /** The action, as it was when the download started. */
  action: MachineAction;
  /** The manifest written beside the package. */
  manifest: EvidenceManifest;
  /** The manifest's bytes as stored. */
  manifestText: string;
  /** Outputs the destination adds (e.g. `blobUrl`, `retention`). */
  destinationOutputs: Record<string, unknown>;
  /** False when the package was found already stored and proven (no link was fetched). */
  transferred: boolean;
}

/** Options of {@link downloadEvidence}. */
export interface DownloadEvidenceOptions {
  /** Put the package here instead of the name derived from the action (a re-download keeps its path). */
  location?: EvidenceLocation;
  /** Where evidence goes. @default the destination `inputs` name (see `destinationFor`) */
  destination?: EvidenceDestination;
  /** Cancels the transfer (the provider is stopping): it ends with `MDE_ABORTED`, nothing kept. */
  signal?: AbortSignal;
  /** Stall timeout of the transfer, in milliseconds. @default DEFAULT_STALL_TIMEOUT_IN_MS (60000) */
  stallTimeoutInMs?: number;
}

/** Why an action has no package, and where to look. */
function notSucceededHint(action: MachineAction): string {
  switch (action.status) {
    case "Failed":
      return "the device reported a failure (check the action in Defender's action center and the device's sensor health; collection can fail on a low battery or a metered connection)";
    case "TimeOut":
      return "the device did not pick the action up in time; it is probably offline";
    case "Cancelled":
      return `it was cancelled${action.cancellationRequestor ? ` by ${action.cancellationRequestor}` : ""}`;
    default:
      return `its status is ${action.status}`;
  }
}

/**
 * The action of `inputs.actionId` once it has succeeded: waits on the client's shared status reader.
 * @throws EvidenceError naming the status when it ended otherwise, or when `timeoutInMinutes` passed.
 */
export async function succeededAction(
  client: DefenderClient,
  inputs: DownloadInputs,
  timeScale: number,
): Promise<MachineAction> {
  const reader = client.statusReader;
  let action = await reader.read(inputs.actionId, { type: COLLECT_INVESTIGATION_PACKAGE });
  if (!action) {
    throw new EvidenceError(
      "MDE_ACTION_UNUSABLE",
      `Machine action ${inputs.actionId} does not exist in this tenant: check actionId (usually \`collection.id\` of an InvestigationPackageCollection).`,
    );
  }
  if (action.type !== COLLECT_INVESTIGATION_PACKAGE) {
    throw new EvidenceError(
      "MDE_ACTION_UNUSABLE",
      `Machine action ${action.id} is a ${action.type} action, which has no investigation package: give the ID of a CollectInvestigationPackage action.`,
    );
  }
  if (!isFinalStatus(action.status)) {
    const waited = await waitForFinal(reader, action, {
      timeoutInMinutes: inputs.timeoutInMinutes,
      timeScale,
    });
    action = waited.action;
    if (waited.timedOut) {
      throw new EvidenceError(
        "MDE_ACTION_NOT_FINISHED",
        `Collection ${action.id} on device ${action.machineId} is still ${action.status} after ${inputs.timeoutInMinutes} minutes (timeoutInMinutes): nothing was downloaded or written. Run \`pulumi up\` again later, or raise timeoutInMinutes.`,
      );
    }
  }
  if (action.status !== "Succeeded") {
    throw new EvidenceError(
      "MDE_ACTION_NOT_SUCCEEDED",
      `Collection ${action.id} on device ${action.machineId} ended ${action.status}: ${notSucceededHint(action)}. It has no package to download; collect again (a new collection, e.g. by changing its triggers) and point actionId at it.`,
    );
  }
  return action;
}

/**
 * Downloads the package of `inputs.actionId` into its destination, with a manifest beside it.
 * Nothing is left under the final names when any step fails.
 */
export async function downloadEvidence(
  settings: Settings,
  inputs: DownloadInputs,
  options: DownloadEvidenceOptions = {},
): Promise<DownloadedEvidence> {
  const client = getDefenderClient(settings);
  const action = await succeededAction(client, inputs, settings.timeScale);
  const destination = options.destination ?? destinationFor(settings, inputs);
  const location = options.location ?? destination.locate(packageFileName(action));
  const fileName = fileNameOf(location.path);
  // Before any link is fetched: a refused destination must cost nothing of the link budget.
  await destination.prepare?.();
  const existing = await destination.findExisting?.(location, { actionId: action.id });
  if (existing) return adoptExisting(destination, location, action, existing, { settings, inputs, fileName });
  const staged = await destination.stage(location);
  try {
    const transfer = await transferPackage({
      fetchLink: async () => {
        // Right before the transfer: links are short-lived.
        const link = await client.getPackageUri(action.id);
        if (link === null) {
          throw new EvidenceError(
            "MDE_PACKAGE_LINK_UNAVAILABLE",
            `GetPackageUri answered 404 for collection ${action.id}, although it has Succeeded: the package may not be available yet. Run \`pulumi up\` again in a few minutes.`,
          );
        }
        return link;
      },
      dispatcher: dispatcherFor(settings),
      sink: staged,
      verify: (file) => verifyZipEntries(file, fileName),
      retry: { timeScale: settings.timeScale },
      // Deadline and size cap from the inputs; they bound any sink, a folder or an upload.
      ...transferLimitsOf(inputs),
      ...(options.stallTimeoutInMs !== undefined ? { stallTimeoutInMs: options.stallTimeoutInMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const manifest = buildEvidenceManifest({
      fileName,
      sizeInBytes: transfer.sizeInBytes,
      sha256: transfer.sha256,
      contentMd5: transfer.contentMd5,
      zipEntriesVerified: transfer.zipEntries,
      action,
      downloadedAt: new Date().toISOString(),
      apiEndpoint: settings.apiEndpoint,
      linkRequests: transfer.linkRequests,
      resumedTransfers: transfer.resumedTransfers,
      restartedTransfers: transfer.restartedTransfers,
      pulumiStack: inputs.pulumiStack,
      toolName: TOOL_NAME,
      toolVersion: toolVersion(),
    });
    const text = manifestText(manifest);
    const committed = await staged.commit(text, {
      sha256: transfer.sha256,
      sizeInBytes: transfer.sizeInBytes,
      contentMd5: transfer.md5,
      actionId: action.id,
      machineId: action.machineId,
    });
    return {
      // A folder already holding another stack's record of this package puts ours under another name.
      location: committed?.manifestPath ? { ...location, manifestPath: committed.manifestPath } : location,
      action,
      manifest,
      manifestText: committed ? committed.manifestText : text,
      destinationOutputs: (await destination.outputsFor?.(location)) ?? {},
      transferred: true,
    };
  } finally {
    // After a commit only leftovers go; after a failure the half-written package goes.
    await staged.discard();
  }
}

/** The last segment of a path or URL, decoded: the package's file name. */
function fileNameOf(location: string): string {
  const last = location.split(/[\\/]/).pop() ?? location;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** Reads a stored manifest; undefined when it is not one of ours. */
function parseManifest(text: string | undefined): EvidenceManifest | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as EvidenceManifest;
    return typeof parsed?.package?.sha256 === "string" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A package already stored and proven (a re-run, or another stack keeping the same action): taken as done
 * with no link fetched. A missing manifest is written from what is known; an existing one is kept.
 */
async function adoptExisting(
  destination: EvidenceDestination,
  location: EvidenceLocation,
  action: MachineAction,
  existing: ExistingEvidence,
  context: { settings: Settings; inputs: DownloadInputs; fileName: string },
): Promise<DownloadedEvidence> {
  let text = existing.manifestText;
  let manifest = parseManifest(text);
  if (!manifest || manifest.package.sha256 !== existing.sha256) {
    const built = buildEvidenceManifest({
      fileName: context.fileName,
      sizeInBytes: existing.sizeInBytes,
      sha256: existing.sha256,
      zipEntriesVerified: 0,
      action,
      downloadedAt: new Date().toISOString(),
      apiEndpoint: context.settings.apiEndpoint,
      linkRequests: 0,
      resumedTransfers: 0,
      restartedTransfers: 0,
      pulumiStack: context.inputs.pulumiStack,
      toolName: TOOL_NAME,
      toolVersion: toolVersion(),
    });
    text =
      text ?? (await destination.restoreManifest?.(location, manifestText(built))) ?? manifestText(built);
    manifest = parseManifest(text) ?? built;
  }
  return {
    location,
    action,
    manifest,
    manifestText: text ?? manifestText(manifest),
    destinationOutputs: (await destination.outputsFor?.(location)) ?? {},
    transferred: false,
  };
}
