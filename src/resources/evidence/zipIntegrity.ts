/**
 * Proof that a downloaded package is a whole, readable zip: every entry is read back (inflated where
 * compressed) and its CRC-32 compared with the central directory's. yauzl reads the structure and checks
 * sizes but leaves CRC-32 to its caller, so this does that part. Streams entry by entry: memory stays flat.
 */
import { crc32 } from "node:zlib";
import * as yauzl from "yauzl";
import { EvidenceError } from "./evidenceError";

/** What the check found. */
export interface ZipCheck {
  /** Entries read, folders included. */
  entries: number;
}

function corrupt(fileLabel: string, detail: string, cause?: unknown): EvidenceError {
  return new EvidenceError(
    "MDE_PACKAGE_CORRUPT",
    `The downloaded package ${fileLabel} is damaged: ${detail}. It was not accepted.`,
    cause === undefined ? {} : { cause },
  );
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens the zip at `filePath` and checks every entry's CRC-32 and size.
 * @param fileLabel - How messages name the package (not necessarily the temporary path read).
 * @throws EvidenceError `MDE_PACKAGE_CORRUPT` naming the first entry (or structure) at fault.
 */
export async function verifyZipEntries(filePath: string, fileLabel: string): Promise<ZipCheck> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(filePath, {
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (error) {
    throw corrupt(fileLabel, `it cannot be read as a zip (${reason(error)})`, error);
  }
  try {
    let entries = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        entries++;
        if (entry.isEncrypted())
          throw corrupt(fileLabel, `entry ${JSON.stringify(entry.fileName)} is encrypted`);
        const stream = await zip.openReadStreamPromise(entry, {});
        let crc = 0;
        for await (const chunk of stream) crc = crc32(chunk as Buffer, crc);
        if (crc >>> 0 !== entry.crc32 >>> 0) {
          throw corrupt(
            fileLabel,
            `entry ${JSON.stringify(entry.fileName)} has CRC-32 ${hex(crc)}, the zip records ${hex(entry.crc32)}`,
          );
        }
      }
    } catch (error) {
      if (error instanceof EvidenceError) throw error;
      throw corrupt(fileLabel, `reading entry ${entries} failed (${reason(error)})`, error);
    }
    if (entries !== zip.entryCount) {
      throw corrupt(fileLabel, `${entries} entries could be read, the zip lists ${zip.entryCount}`);
    }
    if (entries === 0)
      throw corrupt(fileLabel, "the zip has no entries; an investigation package always has some");
    return { entries };
  } finally {
    zip.close();
  }
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}
