/**
 * SHA-256 of a file, streamed: memory stays flat whatever the package size.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Digest and size of a file. */
export interface FileDigest {
  /** Lowercase hex. */
  sha256: string;
  sizeInBytes: number;
}

/**
 * Hashes the file at `filePath` in one pass.
 * @returns undefined when the file does not exist.
 * @throws the file-system error for anything else (permissions, a folder in its place).
 */
export async function digestFile(filePath: string): Promise<FileDigest | undefined> {
  const hash = createHash("sha256");
  let sizeInBytes = 0;
  try {
    for await (const chunk of createReadStream(filePath)) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      sizeInBytes += bytes.length;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return { sha256: hash.digest("hex"), sizeInBytes };
}
