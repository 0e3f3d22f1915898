/**
 * The files of a finished live response session, one per GetFile command: what each command's status says
 * of its path, and the storing of a completed command's file through the evidence transfer every download
 * uses (its result link fetched right before the bytes flow, range resume, digests, limits, never
 * overwritten), with a manifest beside it. The result link is a bearer secret: it lives in the fetch
 * closure only, registered for redaction by the client.
 */
import { dispatcherFor } from "../../client/clientParts";
import { getDefenderClient } from "../../client/sharedClients";
import type { MachineAction } from "../../client/wireTypes";
import { isDefenderError } from "../../core/errors";
import { redact } from "../../core/redact";
import { errorCode } from "../../core/userMessage";
import type { Settings } from "../../settings/resolveSettings";
import type {
  EvidenceDestination,
  EvidenceFileStatus,
  EvidenceLocation,
} from "../evidence/evidenceDestination";
import { EvidenceError } from "../evidence/evidenceError";
import { manifestSha256, manifestText } from "../evidence/evidenceManifest";
import { deviceNamePart } from "../evidence/packageFileName";
import { transferPackage } from "../evidence/packageTransfer";
import { TOOL_NAME, toolVersion } from "../evidence/toolVersion";
import { transferLimitsOf } from "../evidence/transferInputs";
import { buildFileManifest } from "./liveResponseManifest";

/**
 * What became of one path: `collected` (stored and proven), `failed` (its command failed on the device, e.g.
 * "File not found"), `notRun` (the session ended before running it: an earlier command failed, or it was
 * cancelled or timed out), `notStored` (it completed but storing the file failed; `up` tries again), or
 * `pending` (the session had not ended when create stopped waiting).
 */
export type FileCollectionStatus = "collected" | "failed" | "notRun" | "notStored" | "pending";

/** One path's record, as the `files` output holds it. Absent fields are left out (protobuf has no undefined). */
export interface CollectedFile {
  /** The remote path, as declared. */
  path: string;
  /** Its command's index in the session (from 0). */
  index: number;
  status: FileCollectionStatus;
  /** Why it is not collected: short text, control characters removed, secrets redacted. */
  error?: string;
  sha256?: string;
  sizeInBytes?: number;
  /** Folder destination: where the file and its manifest are. */
  localPath?: string;
  manifestPath?: string;
  /** Blob destination: where the file and its manifest are. */
  blobUrl?: string;
  manifestUrl?: string;
  /** SHA-256 of the manifest's bytes: refresh tells an edited manifest by it. */
  manifestSha256?: string;
  /** What the last refresh found where a collected file was stored (`intact` when it was just stored). */
  fileStatus?: EvidenceFileStatus;
}

/** Longest `error` text kept per path. */
export const MAX_FILE_ERROR_LENGTH = 300;

/** Longest name part taken from a remote file's base name. */
const MAX_BASE_NAME_LENGTH = 100;

/** Outside text made short and printable: control characters become spaces, secrets are redacted. */
export function shortText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
  const flat = redact(text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim());
  return flat.length > MAX_FILE_ERROR_LENGTH ? `${flat.slice(0, MAX_FILE_ERROR_LENGTH - 3)}...` : flat;
}

/**
 * The stored name of a collected file: `<device>-<actionId>-<index>-<base name>`, the base name of the
 * remote path kept to `A-Z a-z 0-9 . _ -` (anything else becomes `_`, leading dots go), so no name hides,
 * climbs folders or meets a character a file system refuses, and two commands never share a name.
 */
export function collectedFileName(action: MachineAction, index: number, remotePath: string): string {
  const base =
    (remotePath.split(/[\\/]/).pop() ?? "")
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .replace(/^[.]+/, "")
      .slice(0, MAX_BASE_NAME_LENGTH) || "file";
  const id = action.id.toLowerCase().replace(/[^0-9a-f-]/g, "_");
  return `${deviceNamePart(action)}-${id}-${index}-${base}`;
}

/** A storing failure as the record's `error`: its message, with its code at the end. */
function failureText(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const code = errorCode(error) ?? "MDE_UNEXPECTED";
  return `${shortText(raw.endsWith(`[${code}]`) ? raw.slice(0, -code.length - 2) : raw)} [${code}]`;
}

interface CommandView {
  index?: unknown;
  commandStatus?: unknown;
  errors?: unknown;
}

/** The commands of an action by index (the API's `index`, else their position). */
function commandsOf(action: MachineAction): Map<number, CommandView> {
  const commands = Array.isArray(action.commands) ? (action.commands as CommandView[]) : [];
  return new Map(commands.map((c, i) => [typeof c?.index === "number" ? c.index : i, c ?? {}]));
}

/** Each path's record as the action's commands tell it; completed ones are `pending` until stored. */
export function commandRecords(action: MachineAction, paths: string[]): CollectedFile[] {
  const commands = commandsOf(action);
  return paths.map((path, index) => {
    const command = commands.get(index);
    const status = command?.commandStatus;
    if (status === "Completed") return { path, index, status: "pending" };
    if (status === "Failed") {
      const errors = Array.isArray(command?.errors) ? command.errors.map(String).join("; ") : "";
      return {
        path,
        index,
        status: "failed",
        error: shortText(errors) || "the command failed on the device",
      };
    }
    if (action.status === "Pending" || action.status === "InProgress")
      return { path, index, status: "pending" };
    const why =
      action.status === "Failed"
        ? "not run: an earlier command of the session failed"
        : `not run: the session ended ${action.status}`;
    return { path, index, status: "notRun", error: why };
  });
}

/** What storing a file needs besides the action. */
export interface StoreContext {
  settings: Settings;
  destination: EvidenceDestination;
  /** Whether the destination is a blob container (outputs say `blobUrl`, not `localPath`). */
  blob: boolean;
  pulumiStack?: string | undefined;
  /** Cancels the transfer (the provider is stopping). */
  signal?: AbortSignal;
}

function placed(
  record: CollectedFile,
  location: EvidenceLocation,
  facts: { sha256: string; sizeInBytes: number; manifestText: string },
  blob: boolean,
): CollectedFile {
  return {
    path: record.path,
    index: record.index,
    status: "collected",
    sha256: facts.sha256,
    sizeInBytes: facts.sizeInBytes,
    ...(blob
      ? { blobUrl: location.path, manifestUrl: location.manifestPath }
      : { localPath: location.path, manifestPath: location.manifestPath }),
    manifestSha256: manifestSha256(facts.manifestText),
    fileStatus: "intact",
  };
}

/**
 * Stores the file of a completed command with its manifest: found already stored and proven (a re-run),
 * or transferred from a fresh result link. A failure is the record's `notStored` with its reason, except a
 * cancellation, which ends everything.
 */
export async function storeFile(
  ctx: StoreContext,
  action: MachineAction,
  record: CollectedFile,
): Promise<CollectedFile> {
  const fileName = collectedFileName(action, record.index, record.path);
  const location = ctx.destination.locate(fileName);
  const manifestFor = (
    t: { sha256: string; sizeInBytes: number; contentMd5?: string | undefined },
    links = 0,
  ) =>
    manifestText(
      buildFileManifest({
        fileName,
        remotePath: record.path,
        commandIndex: record.index,
        ...t,
        action,
        downloadedAt: new Date().toISOString(),
        apiEndpoint: ctx.settings.apiEndpoint,
        linkRequests: links,
        resumedTransfers: 0,
        restartedTransfers: 0,
        pulumiStack: ctx.pulumiStack,
        toolName: TOOL_NAME,
        toolVersion: toolVersion(),
      }),
    );
  try {
    const existing = await ctx.destination.findExisting?.(location, { actionId: action.id });
    if (existing) {
      const text =
        existing.manifestText ??
        (await ctx.destination.restoreManifest?.(location, manifestFor(existing))) ??
        manifestFor(existing);
      return placed(record, location, { ...existing, manifestText: text }, ctx.blob);
    }
    const staged = await ctx.destination.stage(location);
    try {
      const client = getDefenderClient(ctx.settings);
      const transfer = await transferPackage({
        fetchLink: async () => {
          const link = await client.getLiveResponseResultLink(action.id, record.index);
          if (link !== null) return link;
          throw new EvidenceError(
            "MDE_PACKAGE_LINK_UNAVAILABLE",
            `Defender has no result for command ${record.index} of live response ${action.id} (GetLiveResponseResultDownloadLink answered 404), although the command completed: the result is no longer kept. Change \`triggers\` to collect the file again.`,
          );
        },
        dispatcher: dispatcherFor(ctx.settings),
        sink: staged,
        // A collected file is bytes to keep, whatever they are: no format check.
        verify: async () => ({ entries: 0 }),
        retry: { timeScale: ctx.settings.timeScale },
        ...transferLimitsOf({}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const text = manifestFor(transfer, transfer.linkRequests);
      const committed = await staged.commit(text, {
        sha256: transfer.sha256,
        sizeInBytes: transfer.sizeInBytes,
        contentMd5: transfer.md5,
        actionId: action.id,
        machineId: action.machineId,
        contentType: "application/octet-stream",
      });
      const where = committed?.manifestPath
        ? { ...location, manifestPath: committed.manifestPath }
        : location;
      return placed(record, where, { ...transfer, manifestText: committed?.manifestText ?? text }, ctx.blob);
    } finally {
      await staged.discard();
    }
  } catch (error) {
    if (isDefenderError(error, "MDE_ABORTED")) throw error;
    return { path: record.path, index: record.index, status: "notStored", error: failureText(error) };
  }
}
