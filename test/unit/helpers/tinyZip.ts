/**
 * A minimal zip writer for tests of the zip checks: stored or deflated entries, local headers, central
 * directory and end record, with the CRC-32 the format records (or a wrong one, on purpose).
 */
import { crc32, deflateRawSync } from "node:zlib";

/** One entry to write. */
export interface TinyZipEntry {
  name: string;
  data: Buffer;
  /** Compress with deflate. @default false (stored) */
  deflate?: boolean;
  /** Record this CRC-32 instead of the right one. */
  recordedCrc?: number;
}

/** The zip bytes, and where each entry's data starts (to damage it precisely). */
export function tinyZip(entries: TinyZipEntry[]): { bytes: Buffer; dataOffsets: number[] } {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const dataOffsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const body = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const crc = entry.recordedCrc ?? crc32(entry.data);
    const method = entry.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    dataOffsets.push(offset + 30 + name.length);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return { bytes: Buffer.concat([...locals, directory, end]), dataOffsets };
}
