/**
 * An investigation package as a downloadable blob: a fixed byte sequence (same action, same
 * bytes) that can be read from any offset without building it in memory. Only the small
 * members live in memory; the padding member is generated on the fly by {@link PaddingSource}.
 */
import { createHash } from "node:crypto";
import { type PackageSubject, packageEntries, paddingEntryName } from "./packageZip";
import { PaddingSource } from "./paddingSource";
import { layoutZip, type ZipLayout } from "./zipWriter";

/**
 * Packages up to this size carry `Content-MD5`, computed when the package is first opened;
 * larger ones have none, like a blob uploaded in blocks (hashing a gigabyte before the first
 * byte would delay every first download).
 */
export const CONTENT_MD5_MAX_BYTES = 64 * 1024 * 1024;

/** Digests of a package's bytes. */
export interface PackageDigests {
  /** Lowercase hex. */
  sha256: string;
  /** Base64, as `Content-MD5` carries it; only up to {@link CONTENT_MD5_MAX_BYTES} (MD5 is slow). */
  md5?: string;
}

function layoutOf(subject: PackageSubject, crc: number): ZipLayout {
  const padding = subject.paddingBytes ?? 0;
  return layoutZip(
    packageEntries(subject),
    padding > 0 ? { name: paddingEntryName(subject.osPlatform), size: padding, crc } : undefined,
  );
}

/** Size in bytes of the package of `subject`, without generating it. */
export function packageSizeOf(subject: PackageSubject): number {
  return layoutOf(subject, 0).size;
}

/** A package ready to serve. Open one with {@link PackageBlob.open}. */
export class PackageBlob {
  private digestsPromise: Promise<PackageDigests> | undefined;

  private constructor(
    private readonly layout: ZipLayout,
    private readonly padding: PaddingSource,
    /** Strong validator for `ETag` and `If-Range`: derived from the action id and size. */
    readonly etag: string,
  ) {}

  /** Lays the package out and computes the padding's CRC-32 (one streaming pass when padded). */
  static async open(subject: PackageSubject): Promise<PackageBlob> {
    const paddingBytes = subject.paddingBytes ?? 0;
    const padding = new PaddingSource(subject.actionId.toLowerCase(), paddingBytes);
    const crc = paddingBytes > 0 ? await padding.crc32() : 0;
    const layout = layoutOf(subject, crc);
    const tag = createHash("sha1").update(`${subject.actionId.toLowerCase()}:${layout.size}`).digest("hex");
    const blob = new PackageBlob(layout, padding, `"0x${tag.slice(0, 16).toUpperCase()}"`);
    if (layout.size <= CONTENT_MD5_MAX_BYTES) await blob.digests();
    return blob;
  }

  /** Total bytes. */
  get size(): number {
    return this.layout.size;
  }

  /** `Content-MD5` of the whole package, when it is small enough to have one. */
  async contentMd5(): Promise<string | undefined> {
    return this.size <= CONTENT_MD5_MAX_BYTES ? (await this.digests()).md5 : undefined;
  }

  /** The bytes in `[start, end)` (end exclusive), in chunks. */
  *read(start = 0, end = this.size): Generator<Buffer> {
    const { head, streamedOffset, streamedSize, tail } = this.layout;
    const stop = Math.min(end, this.size);
    if (start >= stop) return;
    if (start < head.length) yield head.subarray(start, Math.min(head.length, stop));
    const paddingEnd = streamedOffset + streamedSize;
    if (stop > streamedOffset && start < paddingEnd) {
      yield* this.padding.chunks(
        Math.max(0, start - streamedOffset),
        Math.min(stop, paddingEnd) - streamedOffset,
      );
    }
    if (stop > paddingEnd) yield tail.subarray(Math.max(0, start - paddingEnd), stop - paddingEnd);
  }

  /** SHA-256 (and MD5 when small) of the whole package; computed once, in a pass that yields between chunks. */
  digests(): Promise<PackageDigests> {
    this.digestsPromise ??= (async () => {
      const sha256 = createHash("sha256");
      const md5 = this.size <= CONTENT_MD5_MAX_BYTES ? createHash("md5") : undefined;
      for (const chunk of this.read()) {
        sha256.update(chunk);
        md5?.update(chunk);
        if (chunk.length > 65_536) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return { sha256: sha256.digest("hex"), ...(md5 ? { md5: md5.digest("base64") } : {}) };
    })();
    return this.digestsPromise;
  }
}
