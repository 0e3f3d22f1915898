import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { UNKNOWN_VALUE } from "../../src/resources/collection/collectionInputs";
import {
  checkDownloadInputs,
  DEFAULT_DOWNLOAD_TIMEOUT_IN_MINUTES,
  diffDownloadInputs,
  downloadInputs,
} from "../../src/resources/download/downloadInputs";

const ACTION = "6A2F1A4E-0F1C-4A3B-9D1E-2B7C8E9F0A1B";
const dir = mkdtempSync(path.join(tmpdir(), "mde-inputs-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function reason(news: Record<string, unknown>, property: string): string {
  const failure = checkDownloadInputs(news).failures.find((f) => f.property === property);
  if (!failure) throw new Error(`no failure for ${property}`);
  return failure.reason;
}

test("valid inputs pass, normalised, with the default timeout", (t) => {
  const { inputs, failures } = checkDownloadInputs({ actionId: ACTION, directory: path.join(dir, "new") });
  t.deepEqual(failures, []);
  t.like(inputs, {
    actionId: ACTION.toLowerCase(),
    directory: path.join(dir, "new"),
    timeoutInMinutes: DEFAULT_DOWNLOAD_TIMEOUT_IN_MINUTES,
  });
});

test("values unknown at preview are not judged", (t) => {
  t.deepEqual(checkDownloadInputs({ actionId: UNKNOWN_VALUE, directory: UNKNOWN_VALUE }).failures, []);
});

test("each bad input names the field, what was expected and what to do", (t) => {
  t.regex(reason({ directory: dir }, "actionId"), /actionId must be the GUID.*collection\.id.*got nothing/);
  t.regex(
    reason({ actionId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07", directory: dir }, "actionId"),
    /looks like a device ID/,
  );
  t.regex(
    reason({ actionId: ACTION }, "directory"),
    /A destination is required: directory \(a local folder, created if missing\) or blobContainerUrl/,
  );
  const file = path.join(dir, "a-file");
  writeFileSync(file, "x");
  t.regex(reason({ actionId: ACTION, directory: file }, "directory"), /exists but is not a folder/);
  for (const timeoutInMinutes of [0, -1, "60", 8 * 24 * 60, Number.NaN]) {
    t.regex(
      reason({ actionId: ACTION, directory: dir, timeoutInMinutes }, "timeoutInMinutes"),
      /timeoutInMinutes must be a number of minutes greater than 0 and at most 10080/,
    );
  }
});

const stored = {
  ...downloadInputs({ actionId: ACTION, directory: dir, pulumiStack: "p/s" }),
  path: "x",
  fileStatus: "intact",
};

test("nothing changed: no diff", (t) => {
  t.deepEqual(diffDownloadInputs(stored, { actionId: ACTION, directory: dir, pulumiStack: "p/s" }), {
    changed: [],
    replaces: [],
    drifted: false,
  });
});

test("a new action or folder replaces; the timeout only updates", (t) => {
  const other = "11111111-2222-3333-4444-555555555555";
  t.deepEqual(diffDownloadInputs(stored, { actionId: other, directory: dir, pulumiStack: "p/s" }).replaces, [
    "actionId",
  ]);
  t.deepEqual(
    diffDownloadInputs(stored, { actionId: UNKNOWN_VALUE, directory: dir, pulumiStack: "p/s" }).replaces,
    ["actionId"],
  );
  t.deepEqual(
    diffDownloadInputs(stored, { actionId: ACTION, directory: path.join(dir, "b"), pulumiStack: "p/s" })
      .replaces,
    ["directory"],
  );
  const timeout = diffDownloadInputs(stored, {
    actionId: ACTION,
    directory: dir,
    pulumiStack: "p/s",
    timeoutInMinutes: 5,
  });
  t.deepEqual([timeout.changed, timeout.replaces], [["timeoutInMinutes"], []]);
});

test("a file refresh found missing or altered is drift: an update, no replacement", (t) => {
  for (const fileStatus of ["missing", "altered", "manifestMissing"]) {
    const d = diffDownloadInputs(
      { ...stored, fileStatus },
      { actionId: ACTION, directory: dir, pulumiStack: "p/s" },
    );
    t.deepEqual(d, { changed: [], replaces: [], drifted: true });
  }
});
