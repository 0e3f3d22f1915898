import test from "ava";
import { type Device, type Emulator, startEmulator } from "../src";
import { isApiError, send, sleep, tokenFor, waitForStatus } from "./support";

// 1000 emulated seconds per real second: Pending 0.1 s, InProgress 0.4 s, offline TimeOut 1 s.
// Windows are wide enough for polling on a busy two-core machine.
const LIFECYCLE = { pendingSeconds: 100, inProgressSeconds: 400, offlineTimeoutSeconds: 1000 };

let em: Emulator;
let token: string;

test.before(async () => {
  em = await startEmulator({ timeScale: 1000, lifecycle: LIFECYCLE, tokenLifetimeSeconds: 86_400 });
  token = await tokenFor(em);
});
test.after.always(() => em?.close());

/** Healthy devices handed out one per test, so concurrent tests never collide on a device. */
const used = new Set<string>();
function healthyDevice(): Device {
  const device = em.fleet.find(
    (d) => !used.has(d.id) && d.healthStatus === "Active" && !d.behavior && d.osPlatform !== "Windows7",
  );
  if (!device) throw new Error("no unused healthy device left");
  used.add(device.id);
  return device;
}
function deviceByName(prefix: string): Device {
  return em.fleet.find((d) => d.computerDnsName.startsWith(prefix))!;
}

function collect(machineId: string, body: unknown = { Comment: "IR-1: collect" }, path = "/api") {
  return send(em, "POST", `${path}/machines/${machineId}/collectInvestigationPackage`, { token, json: body });
}

test("collect answers 201 with a Pending MachineAction in the documented shape", async (t) => {
  const device = healthyDevice();
  const answer = await collect(device.id);
  t.is(answer.status, 201);
  const action = answer.json;
  t.regex(action.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.is(action.type, "CollectInvestigationPackage");
  t.is(action.status, "Pending");
  t.is(action.machineId, device.id);
  t.is(action.computerDnsName, null, "the create answer has not resolved the name yet");
  t.is(action.requestor, em.defaultApp.clientId);
  t.is(action.requestorComment, "IR-1: collect");
  t.truthy(Date.parse(action.creationDateTimeUtc));
  t.regex(action["@odata.context"], /\$metadata#MachineActions\/\$entity$/);
  for (const key of [
    "cancellationRequestor",
    "cancellationComment",
    "cancellationDateTimeUtc",
    "relatedFileInfo",
  ]) {
    t.is(action[key], null, key);
  }
});

test("lifecycle: Pending -> InProgress -> Succeeded, evaluated from timestamps", async (t) => {
  const device = healthyDevice();
  const { json: created } = await collect(device.id);
  const inProgress = await waitForStatus(em, token, created.id, "InProgress");
  t.is(inProgress.status, "InProgress");
  t.is(inProgress.computerDnsName, device.computerDnsName);
  const done = await waitForStatus(em, token, created.id, "Succeeded");
  t.is(done.status, "Succeeded");
  t.true(Date.parse(done.lastUpdateDateTimeUtc) > Date.parse(done.creationDateTimeUtc));
});

test("an offline device stays Pending, then TimeOut", async (t) => {
  const device = deviceByName("kiosk-");
  const { json: created } = await collect(device.id);
  await sleep(300);
  t.is((await send(em, "GET", `/api/machineactions/${created.id}`, { token })).json.status, "Pending");
  t.is((await waitForStatus(em, token, created.id, "TimeOut")).status, "TimeOut");
});

test("a device configured to fail ends Failed", async (t) => {
  const { json: created } = await collect(deviceByName("lab-ws-").id);
  const failed = await waitForStatus(em, token, created.id, "Failed");
  t.is(failed.status, "Failed");
});

test("unsupported OS: 400 OsPlatformNotSupported", async (t) => {
  const answer = await collect(deviceByName("legacy-pc-").id);
  t.is(answer.status, 400);
  t.true(isApiError(answer, "OsPlatformNotSupported"), answer.body);
});

test("a second collection while one runs: 400 ActiveRequestAlreadyExists; allowed again once final", async (t) => {
  const device = healthyDevice();
  const first = await collect(device.id);
  t.is(first.status, 201);
  const second = await collect(device.id);
  t.is(second.status, 400);
  t.true(isApiError(second, "ActiveRequestAlreadyExists"));
  await waitForStatus(em, token, first.json.id, "Succeeded");
  t.is((await collect(device.id)).status, 201);
});

test("duplicateCollection 'returnExisting': 201 with the existing action", async (t) => {
  const local = await startEmulator({ timeScale: 1, duplicateCollection: "returnExisting" });
  t.teardown(() => local.close());
  const localToken = await tokenFor(local);
  const id = local.fleet[0]!.id;
  const path = `/api/machines/${id}/collectInvestigationPackage`;
  const first = await send(local, "POST", path, { token: localToken, json: { Comment: "a" } });
  const second = await send(local, "POST", path, { token: localToken, json: { Comment: "b" } });
  t.is(second.status, 201);
  t.is(second.json.id, first.json.id);
  t.is(second.json.requestorComment, "a");
});

test("unknown device or action: 404 ResourceNotFound", async (t) => {
  t.true(isApiError(await collect("0".repeat(40)), "ResourceNotFound"));
  const answer = await send(em, "GET", "/api/machineactions/7d2b8f1e-0000-4000-8000-000000000000", { token });
  t.is(answer.status, 404);
  t.true(isApiError(answer, "ResourceNotFound"));
  t.true(isApiError(await send(em, "GET", "/api/nothing-here", { token }), "NotFound"));
});

test("body: Comment is required and case-sensitive (400 InvalidRequestBody)", async (t) => {
  const device = healthyDevice();
  for (const body of [{ comment: "lowercase" }, {}, { Comment: "" }, { Comment: 5 }]) {
    const answer = await collect(device.id, body);
    t.is(answer.status, 400, JSON.stringify(body));
    t.true(isApiError(answer, "InvalidRequestBody"));
  }
  const notJson = await send(em, "POST", `/api/machines/${device.id}/collectInvestigationPackage`, {
    token,
    body: "{not json",
    headers: { "content-type": "application/json" },
  });
  t.true(isApiError(notJson, "InvalidRequestBody"));
  t.regex((await collect(device.id, { comment: "x" })).json.error.message, /case-sensitive/);
});

test("cancel: 200 Cancelled with the canceller; 400 once final; 404 unknown", async (t) => {
  const device = healthyDevice();
  const { json: created } = await collect(device.id);
  const cancelled = await send(em, "POST", `/api/machineactions/${created.id}/cancel`, {
    token,
    json: { Comment: "wrong device" },
  });
  t.is(cancelled.status, 200);
  t.is(cancelled.json.status, "Cancelled");
  t.is(cancelled.json.cancellationComment, "wrong device");
  t.is(cancelled.json.cancellationRequestor, em.defaultApp.clientId);
  t.truthy(cancelled.json.cancellationDateTimeUtc);
  await sleep(600);
  t.is(
    (await send(em, "GET", `/api/machineactions/${created.id}`, { token })).json.status,
    "Cancelled",
    "stays cancelled",
  );
  const again = await send(em, "POST", `/api/machineactions/${created.id}/cancel`, {
    token,
    json: { Comment: "x" },
  });
  t.is(again.status, 400);
  t.true(isApiError(again, "BadRequest"));
  const lower = await send(em, "POST", `/api/machineactions/${created.id}/cancel`, {
    token,
    json: { comment: "x" },
  });
  t.true(isApiError(lower, "InvalidRequestBody"));
  const unknown = await send(em, "POST", "/api/machineactions/7d2b8f1e-0000-4000-8000-000000000000/cancel", {
    token,
    json: { Comment: "x" },
  });
  t.true(isApiError(unknown, "ResourceNotFound"));
});

test("GetPackageUri: 404 until Succeeded, then a link; segment case-insensitive, /api/v1.0 accepted", async (t) => {
  const device = healthyDevice();
  const { json: created } = await collect(device.id, undefined, "/api/v1.0");
  const early = await send(em, "GET", `/api/machineactions/${created.id}/GetPackageUri`, { token });
  t.is(early.status, 404);
  t.true(isApiError(early, "ResourceNotFound"));
  await waitForStatus(em, token, created.id, "Succeeded");
  const answer = await send(em, "GET", `/api/v1.0/MachineActions/${created.id}/getpackageuri`, { token });
  t.is(answer.status, 200);
  t.regex(answer.json["@odata.context"], /\$metadata#Edm\.String$/);
  t.true(answer.json.value.startsWith(`${em.url}/`), "unquoted by default");
  t.regex(answer.json.value, /[?&]sig=/);
});

test("quotePackageUri wraps the link in literal quotes, as Microsoft's example", async (t) => {
  const local = await startEmulator({ timeScale: 1000, lifecycle: LIFECYCLE, quotePackageUri: true });
  t.teardown(() => local.close());
  const localToken = await tokenFor(local);
  const { json: created } = await send(
    local,
    "POST",
    `/api/machines/${local.fleet[0]!.id}/collectInvestigationPackage`,
    {
      token: localToken,
      json: { Comment: "q" },
    },
  );
  await waitForStatus(local, localToken, created.id, "Succeeded");
  const answer = await send(local, "GET", `/api/machineactions/${created.id}/GetPackageUri`, {
    token: localToken,
  });
  t.regex(answer.json.value, /^"https:\/\/.+"$/);
});

test("list actions: $filter on machineId, type, status, requestor, id, creationDateTimeUtc; $top/$skip", async (t) => {
  const device = healthyDevice();
  const before = new Date(Date.now() - 1000).toISOString();
  const { json: a } = await collect(device.id);
  await waitForStatus(em, token, a.id, "Succeeded");
  const { json: b } = await collect(device.id);
  const list = async (query: string) => {
    const answer = await send(em, "GET", `/api/machineactions?${query}`, { token });
    t.is(answer.status, 200, answer.body);
    return answer.json.value as { id: string }[];
  };
  const byMachine = await list(
    `$filter=${encodeURIComponent(`machineId eq '${device.id}' and type eq 'CollectInvestigationPackage'`)}`,
  );
  t.deepEqual(byMachine.map((x) => x.id).sort(), [a.id, b.id].sort());
  const succeeded = await list(
    `$filter=${encodeURIComponent(`machineId eq '${device.id}' and status eq 'Succeeded'`)}`,
  );
  t.deepEqual(
    succeeded.map((x) => x.id),
    [a.id],
  );
  t.deepEqual(
    (await list(`$filter=${encodeURIComponent(`id eq '${b.id}'`)}`)).map((x) => x.id),
    [b.id],
  );
  const mine = await list(
    `$filter=${encodeURIComponent(`requestor eq '${em.defaultApp.clientId}' and machineId eq '${device.id}'`)}`,
  );
  t.is(mine.length, 2);
  const recent = await list(
    `$filter=${encodeURIComponent(`creationDateTimeUtc gt ${before} and machineId eq '${device.id}'`)}`,
  );
  t.is(recent.length, 2);
  const quoted = await list(
    `$filter=${encodeURIComponent(`creationDateTimeUtc ge '${a.creationDateTimeUtc}' and machineId eq '${device.id}'`)}`,
  );
  t.is(quoted.length, 2);
  const none = await list(
    `$filter=${encodeURIComponent(`creationDateTimeUtc lt ${before} and machineId eq '${device.id}'`)}`,
  );
  t.is(none.length, 0);
  const page = await list(`$filter=${encodeURIComponent(`machineId eq '${device.id}'`)}&$top=1&$skip=1`);
  t.deepEqual(
    page.map((x) => x.id),
    [b.id],
  );
  const bad = await send(em, "GET", `/api/machineactions?$filter=${encodeURIComponent("color eq 'red'")}`, {
    token,
  });
  t.is(bad.status, 400);
  t.true(isApiError(bad, "ODataError"));
  t.true(isApiError(await send(em, "GET", "/api/machineactions?$top=10001", { token }), "ODataError"));
});
