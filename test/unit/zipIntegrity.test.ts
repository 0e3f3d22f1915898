import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { verifyZipEntries } from "../../src/resources/evidence/zipIntegrity";
import { tinyZip } from "./helpers/tinyZip";

const dir = mkdtempSync(path.join(tmpdir(), "mde-zip-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function flip(bytes: Buffer, at: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
}

function file(bytes: Buffer): string {
  const p = path.join(dir, `p${n++}.zip`);
  writeFileSync(p, bytes);
  return p;
}

const report = Buffer.from("<Workbook>collection summary</Workbook>\n".repeat(200));
const processes = Buffer.from("pid name\n4 System\n".repeat(100));
const entries = [
  { name: "Processes/processes.txt", data: processes },
  { name: "CollectionSummaryReport.xls", data: report, deflate: true },
];

async function failure(p: string): Promise<{ code?: string; message: string }> {
  try {
    await verifyZipEntries(p, "ws-042-x.zip");
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("the check accepted a damaged zip");
}

test("a whole zip passes and every entry is counted", async (t) => {
  t.deepEqual(await verifyZipEntries(file(tinyZip(entries).bytes), "ok.zip"), { entries: 2 });
});

test("a flipped byte in a stored entry fails its CRC-32, naming the entry", async (t) => {
  const { bytes, dataOffsets } = tinyZip(entries);
  flip(bytes, (dataOffsets[0] as number) + 10);
  const error = await failure(file(bytes));
  t.is(error.code, "MDE_PACKAGE_CORRUPT");
  t.regex(
    error.message,
    /ws-042-x\.zip is damaged: entry "Processes\/processes\.txt" has CRC-32 [0-9a-f]{8}, the zip records/,
  );
});

test("a flipped byte in a deflated entry is refused", async (t) => {
  const { bytes, dataOffsets } = tinyZip(entries);
  flip(bytes, (dataOffsets[1] as number) + 5);
  t.is((await failure(file(bytes))).code, "MDE_PACKAGE_CORRUPT");
});

test("a CRC recorded wrong is refused even when the data inflates", async (t) => {
  const { bytes } = tinyZip([{ name: "a.txt", data: Buffer.from("hello evidence"), recordedCrc: 1234 }]);
  t.regex((await failure(file(bytes))).message, /"a\.txt" has CRC-32/);
});

test("a truncated file, an empty zip and a non-zip are refused", async (t) => {
  const { bytes } = tinyZip(entries);
  t.regex((await failure(file(bytes.subarray(0, bytes.length - 40)))).message, /cannot be read as a zip/);
  t.regex((await failure(file(tinyZip([]).bytes))).message, /no entries/);
  t.regex(
    (await failure(file(Buffer.from("<Error><Code>AuthenticationFailed</Code></Error>")))).message,
    /cannot be read as a zip/,
  );
});
