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
import { waitForFinal } from "../shared/waitForFinal";
import { DirectoryDestination } from "./directoryDestination";
import type { DownloadInputs } from "./downloadInputs";
import type { EvidenceDestination, EvidenceLocation } from "./evidenceDestination";
import { EvidenceError } from "./evidenceError";
import { buildEvidenceManifest, type EvidenceManifest, manifestText } from "./evidenceManifest";
import { packageFileName } from "./packageFileName";
import { transferPackage } from "./packageTransfer";
import { TOOL_NAME, toolVersion } from "./toolVersion";
import { verifyZipEntries } from "./zipIntegrity";

/** What a finished download produced. */
export interface DownloadedEvidence {
  /** Where the package is. */
  location: EvidenceLocation;
  /** The action, as it was when the download started. */
  action: MachineAction;
  /** The manifest written beside the package. */
  manifest: EvidenceManifest;
}

/** Options of {@link downloadEvidence}. */
export interface DownloadEvidenceOptions {
  /** Put the package here instead of the name derived from the action (a re-download keeps its path). */
  location?: EvidenceLocation;
  /** Where evidence goes. @default a {@link DirectoryDestination} of `inputs.directory` */
  destination?: EvidenceDestination;
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
  const destination = options.destination ?? new DirectoryDestination(inputs.directory);
  const location = options.location ?? destination.locate(packageFileName(action));
  const fileName = location.path.split(/[\\/]/).pop() ?? location.path;
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
    await staged.commit(manifestText(manifest));
    return { location, action, manifest };
  } finally {
    // After a commit only leftovers go; after a failure the half-written package goes.
    await staged.discard();
  }
}
