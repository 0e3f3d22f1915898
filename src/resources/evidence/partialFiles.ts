/**
 * Files being written that must not outlive the process: a package's `.part` file and a manifest's
 * temporary file. Each is registered while it exists; when the process exits without removing it (its
 * engine is gone and the watch on it calls `process.exit`, or the transfer cancellation stops the
 * process), the exit removes it, so a stopped deployment leaves no partial evidence behind.
 */
import { rmSync } from "node:fs";

const partialFiles = new Set<string>();
let installed = false;

/** Removes every registered file now, synchronously (for `exit` and signal handlers). */
export function removePartialFiles(): void {
  for (const file of partialFiles) {
    try {
      rmSync(file, { force: true });
    } catch {
      // The process is ending: nothing more can be done about a file that will not go.
    }
  }
  partialFiles.clear();
}

/** Registers `file` as partial: it is removed if the process exits before {@link releasePartialFile}. */
export function trackPartialFile(file: string): void {
  if (!installed) {
    installed = true;
    process.on("exit", removePartialFiles);
  }
  partialFiles.add(file);
}

/** The file was removed or became evidence under its final name: the exit leaves it alone. */
export function releasePartialFile(file: string): void {
  partialFiles.delete(file);
}

/** The files registered now (for tests). */
export function partialFileList(): string[] {
  return [...partialFiles];
}
