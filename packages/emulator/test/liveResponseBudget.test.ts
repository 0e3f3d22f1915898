import test from "ava";
import { type Emulator, KNOWN_DEVICE_FILES, ROUTE_LIMITS, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

// Real time (scale 1) so windows and lifecycles stay put while a test runs; advanceTime moves them.
const LIFECYCLE = { pendingSeconds: 60, liveResponseCommandSeconds: 30 };
const body = {
  Commands: [{ type: "GetFile", params: [{ key: "Path", value: "/etc/hosts" }] }],
  Comment: "IR",
};

/** Devices that can run live response, in fleet order. */
function devices(em: Emulator): string[] {
  return em.fleet
    .filter((d) => d.healthStatus === "Active" && !d.behavior && d.osPlatform !== "Windows7")
    .map((d) => d.id);
}

/** A GetFile of the device's hosts file, which every device has. */
function hostsBody(em: Emulator, machineId: string) {
  const os = em.fleet.find((d) => d.id === machineId)?.osPlatform ?? "";
  const path = os.startsWith("Windows") ? KNOWN_DEVICE_FILES.windows.hosts : KNOWN_DEVICE_FILES.linux.hosts;
  return { ...body, Commands: [{ type: "GetFile", params: [{ key: "Path", value: path }] }] };
}

const run = (em: Emulator, machineId: string, token: string) =>
  send(em, "POST", `/api/machines/${machineId}/runliveresponse`, { token, json: hostsBody(em, machineId) });

test("runliveresponse: 10 calls per minute per app and tenant, then 429 with Retry-After", async (t) => {
  t.deepEqual(ROUTE_LIMITS.liveResponse, [{ limit: 10, windowSeconds: 60 }]);
  const em = await startEmulator({ lifecycle: LIFECYCLE, liveResponseSessionsPerTenant: 100 });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const ids = devices(em);
  for (const id of ids.slice(0, 10)) t.is((await run(em, id, token)).status, 201);
  const refused = await run(em, ids[10]!, token);
  t.is(refused.status, 429);
  t.true(isApiError(refused, "TooManyRequests"));
  t.regex(refused.json.error.message, /10 calls per 60 seconds/);
  t.true(Number(refused.headers["retry-after"]) >= 59);
  const other = em.addApp({ tenantId: em.defaultApp.tenantId, clientSecret: "s" });
  t.is((await run(em, ids[10]!, await tokenFor(em, other))).status, 201, "another app has its own quota");
  em.advanceTime(61);
  t.is((await run(em, ids[11]!, token)).status, 201);
  t.deepEqual(
    em.calls({ route: "liveResponse" }).map((c) => c.status),
    [...Array(10).fill(201), 429, 201, 201],
  );
});

test("sessions per tenant: beyond the limit 429 until the first session ends (reject, the default)", async (t) => {
  const em = await startEmulator({ lifecycle: LIFECYCLE, liveResponseSessionsPerTenant: 2 });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const ids = devices(em);
  t.is((await run(em, ids[0]!, token)).status, 201);
  em.advanceTime(10);
  t.is((await run(em, ids[1]!, token)).status, 201);
  const refused = await run(em, ids[2]!, token);
  t.is(refused.status, 429);
  t.true(isApiError(refused, "TooManyRequests"));
  t.regex(refused.json.error.message, /2 concurrently running live response sessions/);
  // The first session ends 60 s (pending) + 30 s (one command) after it was created: 80 s from now.
  const retryAfter = Number(refused.headers["retry-after"]);
  t.true(retryAfter >= 79 && retryAfter <= 81, `Retry-After ${retryAfter}`);
  // Another app of the same tenant shares the tenant's sessions.
  const other = em.addApp({ tenantId: em.defaultApp.tenantId, clientSecret: "s" });
  t.is((await run(em, ids[2]!, await tokenFor(em, other))).status, 429);
  // An app of another tenant does not.
  const foreign = em.addApp({ clientSecret: "s" });
  t.is((await run(em, ids[2]!, await tokenFor(em, foreign))).status, 201);
  em.advanceTime(retryAfter);
  t.is((await run(em, ids[3]!, token)).status, 201, "a slot is free once the first session ended");
});

test("sessions per tenant, queue: the session beyond the limit stays Pending until one ends", async (t) => {
  const em = await startEmulator({
    lifecycle: LIFECYCLE,
    liveResponseSessionsPerTenant: 1,
    liveResponseOverflow: "queue",
  });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const ids = devices(em);
  const first = await run(em, ids[0]!, token);
  const queued = await run(em, ids[1]!, token);
  t.is(queued.status, 201);
  const status = async (id: string) =>
    (await send(em, "GET", `/api/machineactions/${id}`, { token })).json.status;
  em.advanceTime(61);
  t.is(await status(first.json.id), "InProgress");
  t.is(await status(queued.json.id), "Pending", "queued behind the running session");
  em.advanceTime(30);
  t.is(await status(first.json.id), "Succeeded");
  t.is(await status(queued.json.id), "InProgress", "started when the first ended");
  em.advanceTime(30);
  t.is(await status(queued.json.id), "Succeeded");
});

test("an offline device's session is queued three days, then TimeOut", async (t) => {
  const em = await startEmulator({ lifecycle: LIFECYCLE, tokenLifetimeSeconds: 86_400 * 4 });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const offline = em.fleet.find((d) => d.computerDnsName.startsWith("kiosk-"))!;
  const answer = await send(em, "POST", `/api/machines/${offline.id}/runliveresponse`, {
    token,
    json: {
      ...body,
      Commands: [{ type: "GetFile", params: [{ key: "Path", value: KNOWN_DEVICE_FILES.windows.hosts }] }],
    },
  });
  t.is(answer.status, 201);
  const status = async () => (await send(em, "GET", `/api/machineactions/${answer.json.id}`, { token })).json;
  em.advanceTime(86_400 * 2);
  t.is((await status()).status, "Pending");
  em.advanceTime(86_400 + 1);
  const done = await status();
  t.is(done.status, "TimeOut");
  t.is(done.commands[0].commandStatus, "Created");
});
