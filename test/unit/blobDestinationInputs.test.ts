/**
 * Blob destinations at `check`: the container URL, the prefix and the immutability switch are judged
 * before anything is sent; a SAS, user info or plain http beyond loopback never reaches state.
 */
import test from "ava";
import {
  blobContainerUrlProblem,
  blobPrefixProblem,
  parseBlobContainerUrl,
} from "../../src/blob/blobContainerUrl";
import { checkDownloadInputs, diffDownloadInputs } from "../../src/resources/download/downloadInputs";

const ACTION = "6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b";
const AZURE = "https://contosoir.blob.core.windows.net/evidence";
const AZURITE = "https://127.0.0.1:10000/devstoreaccount1/evidence";

function failuresOf(news: Record<string, unknown>) {
  return checkDownloadInputs({ actionId: ACTION, ...news }).failures;
}

test("host-style and path-style container URLs pass, normalised without a trailing slash", (t) => {
  t.deepEqual(failuresOf({ blobContainerUrl: `${AZURE}/` }), []);
  t.deepEqual(failuresOf({ blobContainerUrl: AZURITE, blobPrefix: "IR-4711/" }), []);
  const { inputs } = checkDownloadInputs({ actionId: ACTION, blobContainerUrl: `${AZURE}/` });
  t.is(inputs.blobContainerUrl, AZURE);
  t.is(inputs.requireImmutableStorage, true, "immutability is required by default");
  t.is(inputs.blobPrefix, "");
  t.deepEqual(parseBlobContainerUrl(AZURITE), { url: AZURITE, name: "evidence", host: "127.0.0.1:10000" });
});

test("a SAS, user info, plain http beyond loopback and a missing container name are refused", (t) => {
  const sas = `${AZURE}?sv=2024-11-04&sig=c2VjcmV0`;
  const [failure] = failuresOf({ blobContainerUrl: sas });
  t.is(failure?.property, "blobContainerUrl");
  t.regex(failure?.reason ?? "", /query string/);
  t.false((failure?.reason ?? "").includes("sig="), "the SAS is never echoed");
  t.regex(
    blobContainerUrlProblem("https://user:pw@contosoir.blob.core.windows.net/evidence") ?? "",
    /user info/,
  );
  t.regex(blobContainerUrlProblem("http://contosoir.blob.core.windows.net/evidence") ?? "", /https/);
  t.is(blobContainerUrlProblem("http://127.0.0.1:10000/devstoreaccount1/evidence"), undefined);
  t.regex(blobContainerUrlProblem("https://contosoir.blob.core.windows.net/") ?? "", /exactly one container/);
  t.regex(
    blobContainerUrlProblem("https://contosoir.blob.core.windows.net/a/b") ?? "",
    /exactly one container/,
  );
  t.regex(
    blobContainerUrlProblem("https://contosoir.blob.core.windows.net/Evidence") ?? "",
    /not a valid container/,
  );
  t.regex(blobContainerUrlProblem("not a url") ?? "", /https URL of a blob container/);
});

test("exactly one destination, and blob options only with a container", (t) => {
  t.regex(failuresOf({})[0]?.reason ?? "", /A destination is required/);
  t.regex(
    failuresOf({ directory: "/tmp/x", blobContainerUrl: AZURE })[0]?.reason ?? "",
    /exactly one destination/,
  );
  const stray = failuresOf({ directory: "/tmp/x", blobPrefix: "IR-1/" });
  t.is(stray[0]?.property, "blobPrefix");
  t.is(
    failuresOf({ blobContainerUrl: AZURE, requireImmutableStorage: "no" })[0]?.property,
    "requireImmutableStorage",
  );
});

test("prefixes that would climb, hide or break names are refused", (t) => {
  t.is(blobPrefixProblem("IR-4711/"), undefined);
  t.is(blobPrefixProblem("cases/2026/IR-4711-"), undefined);
  t.truthy(blobPrefixProblem("/IR"));
  t.truthy(blobPrefixProblem("a/../b/"));
  t.truthy(blobPrefixProblem("a\\b"));
  t.truthy(blobPrefixProblem("a\nb"));
  t.truthy(blobPrefixProblem("x".repeat(600)));
});

test("a new container or prefix is a new download; the immutability switch is not", (t) => {
  const olds = checkDownloadInputs({ actionId: ACTION, blobContainerUrl: AZURE }).inputs;
  const other = checkDownloadInputs({
    actionId: ACTION,
    blobContainerUrl: AZURE,
    blobPrefix: "IR-2/",
  }).inputs;
  t.deepEqual(diffDownloadInputs(olds, other).replaces, ["blobPrefix"]);
  const relaxed = checkDownloadInputs({
    actionId: ACTION,
    blobContainerUrl: AZURE,
    requireImmutableStorage: false,
  }).inputs;
  const diff = diffDownloadInputs(olds, relaxed);
  t.deepEqual(diff.replaces, []);
  t.deepEqual(diff.changed, ["requireImmutableStorage"]);
});
