/**
 * The baseline of the vault scenario: what copying a package into a container costs with nothing
 * proven. One GET of the package link, its body piped as it arrives into one Put Blob (a single
 * request, no blocks, no hashing, no local copy), with a storage token from the emulator. The provider
 * does more (a block per 4 MiB with its MD5, SHA-256, a temporary copy for the zip check, a commit, a
 * manifest); this is the floor it is compared with.
 */

import { BLOB_API_VERSION } from "pulumi-mde-harness";
import { Agent, request } from "undici";

/** What {@link plainBlobCopy} copies, and where. */
export interface PlainCopyParams {
  /** The package link (GetPackageUri's answer): fetched once, no resume. */
  link: string;
  /** The blob to create, e.g. `https://127.0.0.1:41234/devstoreaccount1/evidence/plain.zip`. */
  blobUrl: string;
  /** Bearer token of audience `https://storage.azure.com`. */
  storageToken: string;
  /** PEM of the CA that signed both the link host's and the blob service's certificates. */
  ca: string;
  /** Bound on the whole copy, milliseconds. @default 600000 */
  timeoutMs?: number;
}

/** Figures of one plain copy. */
export interface PlainCopyRun {
  /** Real seconds from the link GET to the Put Blob's answer. */
  readonly seconds: number;
  readonly bytes: number;
}

/** Copies the package behind `link` into `blobUrl` in one streamed Put Blob. @throws Error unless 200 then 201 */
export async function plainBlobCopy(p: PlainCopyParams): Promise<PlainCopyRun> {
  const dispatcher = new Agent({ connect: { ca: p.ca } });
  const signal = AbortSignal.timeout(p.timeoutMs ?? 600_000);
  try {
    const started = performance.now();
    const source = await request(p.link, { dispatcher, signal });
    if (source.statusCode !== 200) {
      await source.body.dump();
      throw new Error(`the package link answered ${source.statusCode}`);
    }
    const bytes = Number(source.headers["content-length"]);
    if (!Number.isSafeInteger(bytes)) throw new Error("the package link sent no Content-Length");
    const put = await request(p.blobUrl, {
      method: "PUT",
      dispatcher,
      signal,
      headers: {
        authorization: `Bearer ${p.storageToken}`,
        "x-ms-version": BLOB_API_VERSION,
        "x-ms-date": new Date().toUTCString(),
        "x-ms-blob-type": "BlockBlob",
        "content-type": "application/zip",
        "content-length": String(bytes),
      },
      body: source.body,
    });
    await put.body.dump();
    if (put.statusCode !== 201) throw new Error(`Put Blob answered ${put.statusCode}`);
    return { seconds: (performance.now() - started) / 1000, bytes };
  } finally {
    await dispatcher.close();
  }
}
