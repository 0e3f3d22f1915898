/**
 * The digests of a package computed while it is received: SHA-256 (the evidence hash) and MD5 (to compare
 * with the `Content-MD5` the server may send), both in one pass over the bytes in order. A transfer that
 * starts over starts a new digest, so every byte of the accepted file is hashed exactly once.
 */
import { createHash, type Hash } from "node:crypto";

/** SHA-256 and MD5 of the bytes received so far. */
export class TransferDigest {
  private sha256: Hash = createHash("sha256");
  private md5: Hash = createHash("md5");
  /** The whole package's MD5 as the server announced it (base64), when it did. */
  expectedMd5: string | undefined;

  /** Adds the next bytes, in order. */
  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
  }

  /** Forgets every byte: the transfer starts over. */
  reset(): void {
    this.sha256 = createHash("sha256");
    this.md5 = createHash("md5");
    this.expectedMd5 = undefined;
  }

  /**
   * Ends the digest. Call once per complete transfer (a `reset` allows another).
   * @returns the SHA-256 (lowercase hex), the MD5 (base64, as `Content-MD5` carries it) and whether the bytes
   *   match the announced MD5 (true when none was).
   */
  finish(): { sha256: string; md5: string; md5Matches: boolean } {
    const md5 = this.md5.digest("base64");
    return {
      sha256: this.sha256.digest("hex"),
      md5,
      md5Matches: this.expectedMd5 === undefined || this.expectedMd5 === md5,
    };
  }
}
