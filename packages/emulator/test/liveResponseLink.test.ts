import { createHash } from "node:crypto";
import test from "ava";
import { type Emulator, FLEET_ROLES, KNOWN_DEVICE_FILES, startEmulator } from "../src";
import { download } from "./downloadSupport";
import { isApiError, send, tokenFor, waitForStatus } from "./support";

// Serial: faults are taken by the next call of a route, whichever test makes it.
const W = KNOWN_DEVICE_FILES.windows;
let em: Emulator;
let token: string;
let actionId: string;
let machineId: string;

test.before(async () => {
  em = await startEmulator({
    timeScale: 100,
    lifecycle: { pendingSeconds: 5, liveResponseCommandSeconds: 5 },
    tokenLifetimeSeconds: 86_400,
  });
  token = await tokenFor(em);
  machineId = FLEET_ROLES.incident.devices[0]!.id;
  const created = await send(em, "POST", `/api/machines/${machineId}/runliveresponse`, {
    token,
    json: {
      Commands: [{ type: "GetFile", params: [{ key: "Path", value: W.securityLog }] }],
      Comment: "IR-11: event log",
    },
  });
  actionId = created.json.id;
  await waitForStatus(em, token, actionId, "Succeeded");
});
test.after.always(() => em?.close());

const link = async (path = `/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=0)`) =>
  send(em, "GET", path, { token });

test.serial(
  "the link is a SAS-style URL on the link host; it needs no bearer token and the record hides it",
  async (t) => {
    const answer = await link();
    t.is(answer.status, 200);
    const url = new URL(answer.json.value);
    t.is(url.origin, em.url);
    t.regex(url.pathname, new RegExp(`^/live-response-results/${actionId}/0$`));
    for (const name of ["sv", "sr", "sp", "se", "sig"]) t.truthy(url.searchParams.get(name), name);
    const lifetimeMs = Date.parse(url.searchParams.get("se")!) - Date.now();
    t.true(lifetimeMs > 0 && lifetimeMs <= (1800 / 100) * 1000, "valid 30 emulated minutes");
    const file = await download(em, answer.json.value);
    t.is(file.status, 200);
    t.is(file.body.length, em.deviceFile(machineId, W.securityLog)!.length);
    t.deepEqual(file.body.subarray(0, 8), Buffer.from("ElfFile\0", "latin1"));
    const recorded = em.calls({ route: "liveResponseDownload" }).at(-1)!;
    t.false(recorded.authorizationHeader);
    t.notRegex(recorded.path, /sig=[^R]/, "the signature is redacted");
    t.is(em.calls({ route: "liveResponseLink" }).at(-1)?.status, 200);
  },
);

test.serial("the link route takes /api/v1.0, any case and a percent-encoded index", async (t) => {
  t.is(
    (await link(`/api/v1.0/machineactions/${actionId}/getliveresponseresultdownloadlink(INDEX=0)`)).status,
    200,
  );
  t.is(
    (await link(`/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink%28index%3D0%29`)).status,
    200,
  );
  const unknown = await link(
    `/api/machineactions/${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}/GetLiveResponseResultDownloadLink(index=0)`,
  );
  t.is(unknown.status, 404);
  t.true(isApiError(unknown, "ResourceNotFound"));
});

test.serial(
  "ranges resume a download; Content-MD5 on the whole, x-ms-blob-content-md5 on a range",
  async (t) => {
    const url = (await link()).json.value as string;
    const bytes = em.deviceFile(machineId, W.securityLog)!;
    const whole = await download(em, url);
    t.is(whole.headers["content-md5"], createHash("md5").update(bytes).digest("base64"));
    t.is(whole.headers["accept-ranges"], "bytes");
    const tail = await download(em, url, { range: "bytes=1000-", "if-range": whole.headers.etag! });
    t.is(tail.status, 206);
    t.is(tail.headers["content-range"], `bytes 1000-${bytes.length - 1}/${bytes.length}`);
    t.deepEqual(tail.body, bytes.subarray(1000));
    t.is(tail.headers["x-ms-blob-content-md5"], whole.headers["content-md5"]);
    const beyond = await download(em, url, { range: `bytes=${bytes.length}-` });
    t.is(beyond.status, 416);
  },
);

test.serial(
  "an expired or tampered link is 403 AuthenticationFailed; a fresh link works again",
  async (t) => {
    const url = (await link()).json.value as string;
    const tampered = new URL(url);
    tampered.pathname = tampered.pathname.replace(/\/0$/, "/1");
    const refused = await download(em, tampered.toString());
    t.is(refused.status, 403);
    t.regex(refused.body.toString("utf8"), /AuthenticationFailed/);
    em.advanceTime(1801);
    const expired = await download(em, url);
    t.is(expired.status, 403);
    t.regex(expired.body.toString("utf8"), /AuthenticationFailed/);
    t.is((await download(em, (await link()).json.value)).status, 200);
  },
);

test.serial(
  "faults work on the new routes: a cut transfer, a 429 on the link, a status on the download in XML",
  async (t) => {
    const url = (await link()).json.value as string;
    em.injectFault({ route: "liveResponseDownload", kind: "cutAfterBytes", bytes: 100 });
    await t.throwsAsync(download(em, url));
    t.is(em.calls({ route: "liveResponseDownload" }).at(-1)?.errorCode, "cutAfterBytes");
    em.injectFault({ route: "liveResponseLink", kind: "status", status: 429, retryAfterSeconds: 7 });
    const throttled = await link();
    t.is(throttled.status, 429);
    t.is(throttled.headers["retry-after"], "7");
    em.injectFault({ route: "liveResponseDownload", kind: "status", status: 503 });
    const busy = await download(em, url);
    t.is(busy.status, 503);
    t.regex(busy.body.toString("utf8"), /ServerBusy/);
    em.injectFault({ route: "liveResponse", kind: "commitThenDrop" });
    await t.throwsAsync(
      send(em, "POST", `/api/machines/${FLEET_ROLES.incident.devices[1]!.id}/runliveresponse`, {
        token,
        json: { Commands: [{ type: "GetFile", params: [{ key: "Path", value: W.hosts }] }], Comment: "drop" },
      }),
    );
    const listed = await send(
      em,
      "GET",
      `/api/machineactions?$filter=machineId eq '${FLEET_ROLES.incident.devices[1]!.id}' and type eq 'LiveResponse'`,
      { token },
    );
    t.is(listed.json.value.length, 1, "the session of the dropped answer exists");
  },
);

test.serial("a cancelled session keeps the results of the commands that completed before", async (t) => {
  const device = FLEET_ROLES.incident.devices[2]!.id;
  const created = await send(em, "POST", `/api/machines/${device}/runliveresponse`, {
    token,
    json: {
      Commands: [W.hosts, W.prefetch, W.suspiciousBinary].map((value) => ({
        type: "GetFile",
        params: [{ key: "Path", value }],
      })),
      Comment: "to cancel",
    },
  });
  // Pending 5 s, then 5 s per command: at 12 s the first completed and the second runs.
  em.advanceTime(12);
  const cancelled = await send(em, "POST", `/api/machineactions/${created.json.id}/cancel`, {
    token,
    json: { Comment: "stop" },
  });
  t.is(cancelled.json.status, "Cancelled");
  em.advanceTime(60);
  const after = await send(em, "GET", `/api/machineactions/${created.json.id}`, { token });
  t.deepEqual(
    after.json.commands.map((c: { commandStatus: string }) => c.commandStatus),
    ["Completed", "InProgress", "Created"],
  );
  t.is(
    (await link(`/api/machineactions/${created.json.id}/GetLiveResponseResultDownloadLink(index=0)`)).status,
    200,
  );
  t.is(
    (await link(`/api/machineactions/${created.json.id}/GetLiveResponseResultDownloadLink(index=1)`)).status,
    404,
  );
});
