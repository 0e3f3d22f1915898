import test, { type ExecutionContext } from "ava";
import { request } from "undici";
import { type Emulator, type EmulatorOptions, startEmulator } from "../src";
import { download, packageLink, sha256, succeededAction } from "./downloadSupport";
import { agentFor, send, tokenFor } from "./support";

// Each test gets its own emulator: faults apply to whichever call of the route comes next.
async function setup(t: ExecutionContext, options: EmulatorOptions = {}) {
  const em = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    tokenLifetimeSeconds: 86_400,
    packageLinkLifetimeSeconds: 86_400,
    packagePaddingBytes: 2_000_000,
    rateLimits: false,
    ...options,
  });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const actionId = await succeededAction(em, token);
  return { em, token, actionId, link: await packageLink(em, token, actionId) };
}

/** Reads what arrives before the connection ends, and whether the body was complete. */
async function readUntilClosed(em: Emulator, url: string, headers: Record<string, string> = {}) {
  const answer = await request(url, { headers, dispatcher: agentFor(em) });
  const chunks: Buffer[] = [];
  let error: unknown;
  try {
    for await (const chunk of answer.body) chunks.push(chunk as Buffer);
  } catch (caught) {
    error = caught;
  }
  return {
    status: answer.statusCode,
    contentLength: Number(answer.headers["content-length"]),
    body: Buffer.concat(chunks),
    error,
  };
}

test("cutAfterBytes: the connection ends after N body bytes; Range resumes the rest", async (t) => {
  const { em, actionId, link } = await setup(t);
  const cut = 1_000_003;
  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: cut });
  const partial = await readUntilClosed(em, link);
  t.is(partial.status, 200);
  t.is(partial.contentLength, em.packageSize(actionId), "Content-Length announces the whole package");
  t.is(partial.body.length, cut, "exactly N bytes arrive");
  t.truthy(partial.error, "the client sees the transfer end early");
  const record = em.calls({ route: "download" })[0];
  t.is(record?.errorCode, "cutAfterBytes");
  t.is(record?.bodyBytes, cut);
  const rest = await download(em, link, { range: `bytes=${cut}-` });
  t.is(rest.status, 206);
  t.is(sha256(Buffer.concat([partial.body, rest.body])), await em.packageSha256(actionId));
});

test("cutAfterBytes counts bytes of the response body, also on a range and on other routes", async (t) => {
  const { em, token, actionId, link } = await setup(t);
  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: 10 });
  const ranged = await readUntilClosed(em, link, { range: "bytes=500000-" });
  t.is(ranged.status, 206);
  t.is(ranged.body.length, 10);
  const whole = (await download(em, link)).body;
  t.deepEqual(ranged.body, whole.subarray(500_000, 500_010));
  em.injectFault({ route: "getAction", kind: "cutAfterBytes", bytes: 5 });
  await t.throwsAsync(send(em, "GET", `/api/machineactions/${actionId}`, { token }));
  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: 0 });
  const none = await readUntilClosed(em, link);
  t.is(none.body.length, 0);
  t.truthy(none.error);
});

test("corruptAt: same length, one byte flipped, wrong hash; the next download is clean", async (t) => {
  const { em, actionId, link } = await setup(t);
  const expected = await em.packageSha256(actionId);
  const offset = 1_500_000;
  em.injectFault({ route: "download", kind: "corruptAt", offset });
  const corrupt = await download(em, link);
  const clean = await download(em, link);
  t.is(corrupt.status, 200);
  t.is(corrupt.body.length, clean.body.length);
  t.not(sha256(corrupt.body), expected);
  t.is(sha256(clean.body), expected, "the cached package was not altered");
  const differing = [...corrupt.body.keys()].filter((i) => corrupt.body[i] !== clean.body[i]);
  t.deepEqual(differing, [offset]);
  t.is(corrupt.body[offset], (clean.body[offset] ?? 0) ^ 0xff);
});

test("a status fault on download answers in Blob Storage's XML; 403 reads like an expired link", async (t) => {
  const { em, link } = await setup(t);
  em.injectFault({ route: "download", kind: "status", status: 403 });
  em.injectFault({ route: "download", kind: "status", status: 503, retryAfterSeconds: 2 });
  const forbidden = await download(em, link);
  t.is(forbidden.status, 403);
  t.is(forbidden.headers["x-ms-error-code"], "AuthenticationFailed");
  t.regex(forbidden.body.toString(), /<Code>AuthenticationFailed<\/Code>.*Signed expiry time/s);
  const busy = await download(em, link);
  t.is(busy.status, 503);
  t.is(busy.headers["x-ms-error-code"], "ServerBusy");
  t.is(busy.headers["retry-after"], "2");
  t.is((await download(em, link)).status, 200);
});

test("latency and reset faults apply to downloads too", async (t) => {
  const { em, link } = await setup(t, { packagePaddingBytes: 0 });
  em.injectFault({ route: "download", kind: "latency", ms: 200 });
  const started = Date.now();
  t.is((await download(em, link)).status, 200);
  t.true(Date.now() - started >= 190);
  em.injectFault({ route: "download", kind: "reset" });
  await t.throwsAsync(download(em, link));
});

test("a link expires deliberately: short packageLinkLifetimeSeconds, then advanceTime", async (t) => {
  const { em, token, actionId, link } = await setup(t, {
    // Real time: at 1000x a 30 s link would expire in 30 ms, before its first use on a busy machine.
    timeScale: 1,
    packageLinkLifetimeSeconds: 30,
  });
  t.is((await download(em, link, { range: "bytes=0-99" })).status, 206);
  em.advanceTime(31);
  const expired = await download(em, link, { range: "bytes=100-" });
  t.is(expired.status, 403);
  t.is(expired.headers["x-ms-error-code"], "AuthenticationFailed");
  const fresh = await download(em, await packageLink(em, token, actionId), { range: "bytes=100-" });
  t.is(fresh.status, 206, "a new link resumes where the old one stopped");
});

test("body faults over the admin path are validated", async (t) => {
  const { em, link } = await setup(t, { packagePaddingBytes: 0 });
  const added = await send(em, "POST", "/_emulator/faults", {
    json: { route: "download", kind: "corruptAt", offset: 3 },
  });
  t.is(added.status, 201);
  t.is(added.json[0].offset, 3);
  const corrupt = await download(em, link);
  t.is(corrupt.body[3], 0x04 ^ 0xff, "byte 3 of a zip is 0x04 (PK\\x03\\x04), flipped");
  for (const bad of [
    { route: "download", kind: "cutAfterBytes" },
    { route: "download", kind: "cutAfterBytes", bytes: -1 },
    { route: "download", kind: "corruptAt", offset: 1.5 },
  ]) {
    t.is((await send(em, "POST", "/_emulator/faults", { json: bad })).status, 400, JSON.stringify(bad));
  }
});

test("a client that leaves mid-download: the call is recorded with clientClosed and the bytes sent", async (t) => {
  const { em, actionId, link } = await setup(t, { packagePaddingBytes: 64 * 1024 * 1024 });
  const size = em.packageSize(actionId);
  const answer = await request(link, { dispatcher: agentFor(em) });
  let received = 0;
  for await (const chunk of answer.body) {
    received += (chunk as Buffer).length;
    if (received > 1_000_000) break; // leaving the loop destroys the body stream
  }
  const deadline = Date.now() + 5000;
  while (em.calls({ route: "download" }).length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const record = em.calls({ route: "download" })[0];
  t.is(record?.errorCode, "clientClosed");
  t.true((record?.bodyBytes ?? size) < size);
  t.is(
    (await download(em, link, { range: `bytes=${size - 10}-` })).body.length,
    10,
    "the server goes on serving",
  );
});
