/**
 * Writes a ZIP archive (deflate, no ZIP64) with node:zlib alone. Small members are built in
 * memory; one optional large member is stored (not compressed) and its bytes are left to the
 * caller to stream, so a package of a gigabyte never sits in memory.
 */
import { crc32, deflateRawSync } from "node:zlib";

/** One archive member; a name ending in `/` is a folder. */
export interface ZipEntry {
  name: string;
  data?: Buffer;
}

/** A stored member whose bytes the caller streams; its CRC-32 must be known beforehand. */
export interface StreamedZipEntry {
  name: string;
  /** Bytes of data. */
  size: number;
  /** CRC-32 of the data (0 is fine when only the layout's sizes are wanted). */
  crc: number;
}

/**
 * An archive as three parts: `head` (every in-memory member, then the streamed member's local
 * header), the streamed member's data (`streamedSize` bytes at `streamedOffset`), and `tail`
 * (central directory and end record).
 */
export interface ZipLayout {
  head: Buffer;
  streamedOffset: number;
  streamedSize: number;
  tail: Buffer;
  /** Total bytes of the archive. */
  size: number;
}

/** Largest archive without ZIP64: offsets and sizes are 32-bit. */
export const MAX_ZIP_BYTES = 0xffff_ffff;

/** MS-DOS date and time of every member: fixed, so the same input gives the same bytes. */
const DOS_TIME = (12 << 11) | (0 << 5); // 12:00:00
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1; // 2024-01-01
const UTF8_NAMES = 0x0800;

interface Member {
  name: Buffer;
  isFolder: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

function localHeader(m: Member): Buffer {
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(UTF8_NAMES, 6);
  local.writeUInt16LE(m.method, 8);
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(m.crc, 14);
  local.writeUInt32LE(m.compressedSize, 18);
  local.writeUInt32LE(m.size, 22);
  local.writeUInt16LE(m.name.length, 26);
  local.writeUInt16LE(0, 28);
  return Buffer.concat([local, m.name]);
}

function centralHeader(m: Member): Buffer {
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(UTF8_NAMES, 8);
  central.writeUInt16LE(m.method, 10);
  central.writeUInt16LE(DOS_TIME, 12);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(m.crc, 16);
  central.writeUInt32LE(m.compressedSize, 20);
  central.writeUInt32LE(m.size, 24);
  central.writeUInt16LE(m.name.length, 28);
  central.writeUInt32LE(m.isFolder ? 0x10 : 0x20, 38); // MS-DOS directory / archive attribute
  central.writeUInt32LE(m.offset, 42);
  return Buffer.concat([central, m.name]);
}

/**
 * Lays out the archive: `entries` in memory, then `streamed` (if given) as the last member.
 * @throws RangeError when the archive would need ZIP64 (4 GiB or more)
 */
export function layoutZip(entries: readonly ZipEntry[], streamed?: StreamedZipEntry): ZipLayout {
  const members: Member[] = [];
  const headParts: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const isFolder = entry.name.endsWith("/");
    const raw = entry.data ?? Buffer.alloc(0);
    const deflated = isFolder ? raw : deflateRawSync(raw);
    // Store when deflate does not help, as zip tools do.
    const stored = isFolder || deflated.length >= raw.length;
    const body = stored ? raw : deflated;
    const member: Member = {
      name: Buffer.from(entry.name, "utf8"),
      isFolder,
      method: stored ? 0 : 8,
      crc: crc32(raw),
      compressedSize: body.length,
      size: raw.length,
      offset,
    };
    const local = localHeader(member);
    headParts.push(local, body);
    members.push(member);
    offset += local.length + body.length;
  }
  let streamedOffset = offset;
  let streamedSize = 0;
  if (streamed) {
    const member: Member = {
      name: Buffer.from(streamed.name, "utf8"),
      isFolder: false,
      method: 0,
      crc: streamed.crc >>> 0,
      compressedSize: streamed.size,
      size: streamed.size,
      offset,
    };
    const local = localHeader(member);
    headParts.push(local);
    members.push(member);
    streamedOffset = offset + local.length;
    streamedSize = streamed.size;
    offset = streamedOffset + streamedSize;
  }
  const centralDirectory = Buffer.concat(members.map(centralHeader));
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  if (offset + centralDirectory.length + end.length > MAX_ZIP_BYTES) {
    throw new RangeError("the archive would need ZIP64 (4 GiB or more), which this writer does not produce");
  }
  end.writeUInt32LE(offset, 16);
  const head = Buffer.concat(headParts);
  const tail = Buffer.concat([centralDirectory, end]);
  return { head, streamedOffset, streamedSize, tail, size: head.length + streamedSize + tail.length };
}

/** Builds a whole archive in memory (no streamed member). */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const layout = layoutZip(entries);
  return Buffer.concat([layout.head, layout.tail]);
}
