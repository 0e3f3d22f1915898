/**
 * Deterministic incompressible bytes that can be read from any offset: AES-256-CTR over zeros,
 * keyed by a seed. Counter mode is what makes it seekable (the counter block of byte `o` is
 * `o / 16`), so a download resumed with `Range` gets exactly the bytes it missed without
 * generating what came before.
 */
import { createCipheriv, createHash } from "node:crypto";
import { crc32 } from "node:zlib";

/** Bytes generated per step: large enough to be fast, small enough to keep memory flat. */
export const PADDING_CHUNK_BYTES = 1_048_576;

const ZEROS = Buffer.alloc(PADDING_CHUNK_BYTES + 16);

/** A seekable deterministic byte stream of `size` bytes. */
export class PaddingSource {
  private readonly key: Buffer;

  /**
   * @param seed - same seed, same bytes (the package uses the action id)
   * @param size - length of the stream in bytes
   */
  constructor(
    seed: string,
    readonly size: number,
  ) {
    this.key = createHash("sha256").update(`padding:${seed}`).digest();
  }

  /** The bytes in `[start, end)`, in chunks of at most {@link PADDING_CHUNK_BYTES}. */
  *chunks(start = 0, end = this.size): Generator<Buffer> {
    const stop = Math.min(end, this.size);
    if (start >= stop) return;
    const iv = Buffer.alloc(16);
    // 2^53 bytes fit in the low 64 bits of the counter block, so the high half stays zero.
    iv.writeBigUInt64BE(BigInt(Math.floor(start / 16)), 8);
    const cipher = createCipheriv("aes-256-ctr", this.key, iv);
    let skip = start % 16;
    let position = start;
    while (position < stop) {
      const length = Math.min(PADDING_CHUNK_BYTES, stop - position);
      const out = cipher.update(ZEROS.subarray(0, skip + length));
      // update() returns a fresh buffer each call, so handing it out is safe.
      yield skip ? out.subarray(skip) : out;
      skip = 0;
      position += length;
    }
  }

  /** CRC-32 of the whole stream, computed in one pass that yields to the event loop between chunks. */
  async crc32(): Promise<number> {
    let crc = 0;
    for (const chunk of this.chunks()) {
      crc = crc32(chunk, crc);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return crc;
  }
}
