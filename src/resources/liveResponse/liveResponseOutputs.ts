/**
 * What a live response file collection stores, and its partial-failure error: a session whose files were
 * not all collected is kept in state with what was collected, and the operation fails naming each path
 * that was not, and why.
 */
import type { MachineAction } from "../../client/wireTypes";
import type { EvidenceLocation, ExpectedEvidence } from "../evidence/evidenceDestination";
import { actionOutputs } from "../shared/actionOutputs";
import { ResourceIncompleteError } from "../shared/incompleteError";
import type { CollectedFile } from "./liveResponseFiles";
import type { LiveResponseInputs } from "./liveResponseInputs";

/**
 * A session that exists but whose files were not all collected (a command failed, the session ended or
 * timed out first, a file could not be stored): kept in state with every file that was collected.
 */
export class LiveResponseIncompleteError extends ResourceIncompleteError {
  override readonly name = "LiveResponseIncompleteError";
  override readonly code = "MDE_LIVE_RESPONSE_INCOMPLETE";
}

/** A record without the fields protobuf cannot carry (`undefined`, `null`). */
function defined<T extends object>(record: T): T {
  const out = { ...record } as Record<string, unknown>;
  for (const [key, value] of Object.entries(out)) if (value === undefined || value === null) delete out[key];
  return out as T;
}

/** Outputs stored for a collection: the shared action outputs, and each path's record. */
export function liveResponseOutputs(
  inputs: LiveResponseInputs,
  action: MachineAction,
  adopted: boolean,
  files: CollectedFile[],
): Record<string, unknown> {
  const name = action.computerDnsName ?? inputs.computerDnsName;
  return actionOutputs(inputs, action, adopted, {
    ...(name ? { computerDnsName: name } : {}),
    files: files.map(defined),
  });
}

/** The path records kept in state (none for state that has none). */
export function storedFiles(props: Record<string, unknown>): CollectedFile[] {
  if (!Array.isArray(props.files)) return [];
  return (props.files as CollectedFile[]).filter(
    (f) => f && typeof f.path === "string" && typeof f.index === "number" && typeof f.status === "string",
  );
}

/** Where a collected file is, and what proves it, from its record; undefined when it has none. */
export function storedPlace(
  file: CollectedFile,
): { location: EvidenceLocation; expected: ExpectedEvidence } | undefined {
  const path = file.blobUrl ?? file.localPath;
  const manifestPath = file.manifestUrl ?? file.manifestPath;
  if (!path || !manifestPath || !file.sha256 || typeof file.sizeInBytes !== "number") return undefined;
  return {
    location: { path, manifestPath },
    expected: { sha256: file.sha256, sizeInBytes: file.sizeInBytes, manifestSha256: file.manifestSha256 },
  };
}

/** Whether a record is done: collected and, as far as the last refresh knows, intact. */
export function isSettled(file: CollectedFile): boolean {
  if (file.status === "failed" || file.status === "notRun") return true;
  return file.status === "collected" && (file.fileStatus === undefined || file.fileStatus === "intact");
}

/** The message of a session whose files were not all collected: one clause per path. */
export function incompleteMessage(
  inputs: LiveResponseInputs,
  action: MachineAction,
  files: CollectedFile[],
): string {
  const missing = files.filter((f) => f.status !== "collected");
  const collected = files.length - missing.length;
  const clauses = missing.map((f) => {
    const what =
      f.status === "failed"
        ? `failed on the device: ${f.error ?? "no reason given"}`
        : f.status === "notStored"
          ? `completed but was not stored: ${f.error ?? "no reason given"}`
          : (f.error ?? f.status);
    return `"${f.path}" (command ${f.index}) ${what}`;
  });
  return `Live response ${action.id} on device ${action.machineId || inputs.machineId} ended ${action.status}: ${collected} of ${files.length} files collected. Not collected: ${clauses.join("; ")}. The session and the files collected are kept in state. A file that was not stored is tried again by the next \`pulumi up\`; for a path that failed or did not run, correct \`paths\` or change \`triggers\` to run a new session.`;
}
