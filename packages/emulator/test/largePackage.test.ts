import { crc32 } from "node:zlib";
import test from "ava";
import { startEmulator } from "../src";
import { download, downloadHashed, packageLink, succeededAction } from "./downloadSupport";
import { tokenFor } from "./support";

// A file of its own: ava gives it its own process, so streaming a gigabyte through client and
// server in one event loop does not starve the other download tests.
test("a 1 GiB package streams: never built in memory, zip CRC and sha256 check out", async (t) => {
  t.timeout(120_000);
  const GiB = 1024 ** 3;
  const local = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    packagePaddingBytes: GiB,
    tokenLifetimeSeconds: 86_400,
    // At 1000x the default link would live 0.6 real seconds: less than the CRC pass takes.
    packageLinkLifetimeSeconds: 86_400,
  });
  t.teardown(() => local.close());
  const localToken = await tokenFor(local);
  const id = await succeededAction(local, localToken);
  const size = local.packageSize(id);
  t.true(size > GiB && size < GiB + 1_000_000);
  const url = await packageLink(local, localToken, id);
  // Where the padding member's data lies, from the central directory (read with a range).
  const tail = (await download(local, url, { range: "bytes=-4096" })).body;
  const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const centralStart = tail.readUInt32LE(end + 16) - (size - tail.length);
  let entry = centralStart;
  let padding: { crc: number; size: number; local: number } | undefined;
  while (entry < end) {
    const nameLength = tail.readUInt16LE(entry + 28);
    const name = tail.toString("utf8", entry + 46, entry + 46 + nameLength);
    if (name.endsWith("SupportFiles.bin")) {
      t.is(tail.readUInt16LE(entry + 10), 0, "stored");
      padding = {
        crc: tail.readUInt32LE(entry + 16),
        size: tail.readUInt32LE(entry + 24),
        local: tail.readUInt32LE(entry + 42),
      };
    }
    entry += 46 + nameLength + tail.readUInt16LE(entry + 30) + tail.readUInt16LE(entry + 32);
  }
  t.is(padding?.size, GiB);
  const header = await download(local, url, { range: `bytes=${padding!.local}-${padding!.local + 29}` });
  t.is(header.status, 206);
  const localHeader = header.body;
  const dataStart = padding!.local + 30 + localHeader.readUInt16LE(26) + localHeader.readUInt16LE(28);
  t.is(localHeader.readUInt32LE(14), padding!.crc, "local header and central directory agree");

  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let crc = 0;
  const result = await downloadHashed(local, url, {}, (chunk, offset) => {
    const from = Math.max(dataStart, offset);
    const to = Math.min(dataStart + GiB, offset + chunk.length);
    if (from < to) crc = crc32(chunk.subarray(from - offset, to - offset), crc);
    if (offset % (64 * 1024 * 1024) < chunk.length) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  });
  t.is(result.status, 200);
  t.is(result.bytes, size);
  t.is(result.headers["content-md5"], undefined, "no Content-MD5 above 64 MiB");
  t.is(crc >>> 0, padding!.crc >>> 0, "the padding's CRC-32 checks");
  t.is(result.sha256, await local.packageSha256(id));
  t.true(
    rssPeak - rssBefore < 400 * 1024 * 1024,
    `memory grew by ${Math.round((rssPeak - rssBefore) / 2 ** 20)} MiB`,
  );
});
