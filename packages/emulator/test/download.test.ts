import test from "ava";
import { type Emulator, startEmulator } from "../src";
import {
  checkWithStandardZipReader,
  download,
  packageLink,
  sha256,
  succeededAction,
} from "./downloadSupport";
import { tokenFor } from "./support";

const PADDING = 3_000_001; // odd, so no chunk boundary lines up with anything

let em: Emulator;
let token: string;
let actionId: string;
let link: string;
test.before(async () => {
  em = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    tokenLifetimeSeconds: 86_400,
    packageLinkLifetimeSeconds: 86_400,
    packagePaddingBytes: PADDING,
    rateLimits: false,
  });
  token = await tokenFor(em);
  actionId = await succeededAction(em, token);
  link = await packageLink(em, token, actionId);
});
test.after.always(() => em?.close());

test("same action, same bytes: packageSha256 and packageSize describe what is served", async (t) => {
  const first = await download(em, link);
  const second = await download(em, await packageLink(em, token, actionId));
  t.is(first.status, 200);
  t.is(first.headers["accept-ranges"], "bytes");
  t.is(Number(first.headers["content-length"]), first.body.length);
  t.is(first.body.length, em.packageSize(actionId));
  t.is(sha256(first.body), await em.packageSha256(actionId));
  t.deepEqual(first.body, second.body);
  t.is(first.headers.etag, second.headers.etag);
  t.truthy(first.headers["content-md5"], "a package under 64 MiB has Content-MD5");
  t.throws(() => em.packageSize("00000000-0000-4000-8000-000000000000"));
});

test("a standard zip reader opens the package and every CRC checks, the padding included", (t) => {
  return download(em, link).then(({ body }) => {
    const members = checkWithStandardZipReader(body);
    const padding = members.find((m) => m.name.endsWith("SupportFiles.bin"));
    t.is(padding?.size, PADDING);
    t.true(members.some((m) => m.name === "CollectionSummaryReport.xls"));
  });
});

test("Range: bytes=N- resumes with 206 and Content-Range; the pieces make the package", async (t) => {
  const whole = (await download(em, link)).body;
  const size = whole.length;
  const cut = 1_234_567;
  const rest = await download(em, link, { range: `bytes=${cut}-` });
  t.is(rest.status, 206);
  t.is(rest.headers["content-range"], `bytes ${cut}-${size - 1}/${size}`);
  t.is(Number(rest.headers["content-length"]), size - cut);
  t.is(rest.headers["content-md5"], undefined, "a range carries the blob's MD5 under another name");
  t.truthy(rest.headers["x-ms-blob-content-md5"]);
  t.is(sha256(Buffer.concat([whole.subarray(0, cut), rest.body])), await em.packageSha256(actionId));
  const middle = await download(em, link, { range: "bytes=10-19" });
  t.deepEqual(middle.body, whole.subarray(10, 20));
  const suffix = await download(em, link, { range: "bytes=-100" });
  t.deepEqual(suffix.body, whole.subarray(size - 100));
  const pastEnd = await download(em, link, { range: `bytes=${size - 5}-${size + 1000}` });
  t.is(pastEnd.headers["content-range"], `bytes ${size - 5}-${size - 1}/${size}`);
});

test("an unsatisfiable or malformed byte range: 416 InvalidRange; several ranges or another unit: 200", async (t) => {
  const size = em.packageSize(actionId);
  for (const range of [`bytes=${size}-`, "bytes=20-10", "bytes=-0", "bytes=abc", "bytes=1-2-3"]) {
    const answer = await download(em, link, { range });
    t.is(answer.status, 416, range);
    t.is(answer.headers["x-ms-error-code"], "InvalidRange", range);
    t.is(answer.headers["content-range"], `bytes */${size}`, range);
    t.regex(answer.body.toString(), /<Code>InvalidRange<\/Code>/);
  }
  for (const range of ["bytes=0-1,5-6", "items=0-10"]) {
    const answer = await download(em, link, { range });
    t.is(answer.status, 200, range);
    t.is(answer.body.length, size, range);
  }
});

test("If-Range: the current ETag lets the range apply; anything else gets the whole package", async (t) => {
  const { headers } = await download(em, link, { range: "bytes=0-0" });
  const etag = headers.etag ?? "";
  t.is((await download(em, link, { range: "bytes=5-", "if-range": etag })).status, 206);
  t.is((await download(em, link, { range: "bytes=5-", "if-range": '"0xOTHER"' })).status, 200);
  t.is(
    (await download(em, link, { range: "bytes=5-", "if-range": "Wed, 21 Oct 2015 07:28:00 GMT" })).status,
    200,
  );
});

test.serial("no bearer token needed on the link host; one sent is served and recorded", async (t) => {
  em.resetRecord();
  t.is((await download(em, link)).status, 200);
  t.is((await download(em, link, { authorization: `Bearer ${token}`, range: "bytes=0-" })).status, 206);
  const calls = em.calls({ route: "download" });
  t.deepEqual(
    calls.map((c) => [c.authorizationHeader, c.range]),
    [
      [false, undefined],
      [true, "bytes=0-"],
    ],
  );
  t.is(calls[0]?.bodyBytes, em.packageSize(actionId));
  t.false(JSON.stringify(calls).includes(token), "the record never holds the token");
  const api = em.calls().filter((c) => c.route === "getAction" || c.route === "getPackageUri");
  t.true(api.length === 0 || api.every((c) => c.authorizationHeader));
});

test("downloadRanges: false ignores Range (200, whole body, no Accept-Ranges)", async (t) => {
  const local = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    tokenLifetimeSeconds: 86_400,
    packageLinkLifetimeSeconds: 86_400,
    downloadRanges: false,
  });
  t.teardown(() => local.close());
  const localToken = await tokenFor(local);
  const id = await succeededAction(local, localToken);
  const answer = await download(local, await packageLink(local, localToken, id), { range: "bytes=100-" });
  t.is(answer.status, 200);
  t.is(answer.headers["accept-ranges"], undefined);
  t.is(answer.body.length, local.packageSize(id));
  t.is(sha256(answer.body), await local.packageSha256(id));
});
