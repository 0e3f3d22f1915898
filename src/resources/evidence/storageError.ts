/**
 * The one error of evidence storage: any file-system failure (no room, no permission, a folder where a
 * file should be, a file where a folder should be) becomes `MDE_EVIDENCE_STORAGE`, naming the path and the
 * system's error code, never the raw error's text or stack.
 */
import { EvidenceError } from "./evidenceError";

/** Hints by error code: what to check. */
function hintFor(code: string | undefined): string {
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return "the disk (or the user's quota) is full: free space, then run `pulumi up` again";
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return "the user running Pulumi may not write there: fix the folder's permissions, or choose another directory";
    case "EISDIR":
      return "a folder stands where the file belongs: move it away";
    case "ENOTDIR":
      return "a file stands where a folder of the path belongs: move it away, or choose another directory";
    default:
      return "check that the folder exists, is writable by the user running Pulumi, and that the disk has room";
  }
}

/**
 * The coded error for a failed file-system step.
 * @param what - The step, e.g. `write the manifest`.
 * @param path - The file or folder it was about.
 * @param error - What the file system threw (kept as `cause`, not quoted).
 */
export function storageError(what: string, path: string, error: unknown): EvidenceError {
  const raw = (error as NodeJS.ErrnoException | undefined)?.code;
  const code = typeof raw === "string" && /^[A-Z0-9_]{2,20}$/.test(raw) ? raw : undefined;
  return new EvidenceError(
    "MDE_EVIDENCE_STORAGE",
    `Could not ${what} ${JSON.stringify(path)}${code ? ` (${code})` : ""}: ${hintFor(code)}.`,
    { cause: error },
  );
}
