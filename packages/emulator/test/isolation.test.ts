import test from "ava";
import { type Device, type Emulator, FLEET_ROLES, startEmulator } from "../src";
import { isApiError, send, tokenFor, waitForStatus } from "./support";

// 1000 emulated seconds per real second: Pending 0.1 s, InProgress 0.4 s, offline TimeOut 1 s.
const LIFECYCLE = { pendingSeconds: 100, inProgressSeconds: 400, offlineTimeoutSeconds: 1000 };

let em: Emulator;
let token: string;

test.before(async () => {
  em = await startEmulator({
    timeScale: 1000,
    lifecycle: LIFECYCLE,
    tokenLifetimeSeconds: 86_400,
    users: [
      { upn: "responder@contoso.com" },
      { upn: "investigator@contoso.com", rolePermissions: ["View data", "Alerts investigation"] },
    ],
  });
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

const isolate = (
  machineId: string,
  body: unknown = { Comment: "IR-7: contain", IsolationType: "Full" },
  t = token,
) => send(em, "POST", `/api/machines/${machineId}/isolate`, { token: t, json: body });
const unisolate = (machineId: string, body: unknown = { Comment: "IR-7: release" }, t = token) =>
  send(em, "POST", `/api/machines/${machineId}/unisolate`, { token: t, json: body });

test("isolate answers 201 with a Pending Isolate action; it succeeds and the device is isolated", async (t) => {
  const device = healthyDevice();
  t.deepEqual(em.isolationOf(device.id), { isolated: false });
  const answer = await isolate(device.id, { Comment: "IR-7: contain", IsolationType: "Selective" });
  t.is(answer.status, 201, answer.body);
  t.is(answer.json.type, "Isolate");
  t.is(answer.json.status, "Pending");
  t.is(answer.json.requestorComment, "IR-7: contain");
  t.is(answer.json.computerDnsName, null);
  t.deepEqual(answer.json.commands, []);
  t.regex(answer.json["@odata.context"], /\$metadata#MachineActions\/\$entity$/);
  t.false(em.isolationOf(device.id).isolated, "not isolated while pending");
  const done = await waitForStatus(em, token, answer.json.id, "Succeeded");
  t.is(done.status, "Succeeded");
  const state = em.isolationOf(device.computerDnsName);
  t.true(state.isolated);
  t.is(state.isolationType, "Selective");
  t.is(state.actionId, answer.json.id);
  t.is(state.sinceUtc, done.lastUpdateDateTimeUtc);
  const machine = await send(em, "GET", `/api/machines/${device.id}`, { token });
  t.false(
    "isolated" in machine.json || "isolationState" in machine.json,
    "the Machine entity has no isolation field",
  );
});

test("unisolate releases: the latest succeeded Isolate or Unisolate decides", async (t) => {
  const device = healthyDevice();
  const first = await isolate(device.id);
  await waitForStatus(em, token, first.json.id, "Succeeded");
  const release = await unisolate(device.id);
  t.is(release.status, 201, release.body);
  t.is(release.json.type, "Unisolate");
  t.true(em.isolationOf(device.id).isolated, "still isolated while the release is pending");
  await waitForStatus(em, token, release.json.id, "Succeeded");
  t.deepEqual(em.isolationOf(device.id), {
    isolated: false,
    actionId: release.json.id,
    sinceUtc: (await send(em, "GET", `/api/machineactions/${release.json.id}`, { token })).json
      .lastUpdateDateTimeUtc,
  });
  const listed = await send(
    em,
    "GET",
    `/api/machineactions?$filter=machineId eq '${device.id}' and type eq 'Unisolate'`,
    { token },
  );
  t.deepEqual(
    listed.json.value.map((a: { id: string }) => a.id),
    [release.json.id],
  );
});

test("IsolationType defaults to Full; another value or a lower-case Comment is 400 InvalidRequestBody", async (t) => {
  const device = healthyDevice();
  const bad = await isolate(device.id, { Comment: "x", IsolationType: "Partial" });
  t.is(bad.status, 400);
  t.true(isApiError(bad, "InvalidRequestBody"));
  t.regex(bad.json.error.message, /Full, Selective, UnManagedDevice/);
  const lower = await unisolate(device.id, { comment: "x" });
  t.true(isApiError(lower, "InvalidRequestBody"));
  t.regex(lower.json.error.message, /case-sensitive/);
  const plain = await isolate(device.id, { Comment: "no type" });
  t.is(plain.status, 201);
  await waitForStatus(em, token, plain.json.id, "Succeeded");
  t.is(em.isolationOf(device.id).isolationType, "Full");
});

test("a second isolate while one is pending: 400 ActiveRequestAlreadyExists; a release may be posted beside it", async (t) => {
  const device = healthyDevice();
  const first = await isolate(device.id);
  const second = await isolate(device.id);
  t.is(second.status, 400);
  t.true(isApiError(second, "ActiveRequestAlreadyExists"));
  t.is(second.json.error.message, "Action is already in progress");
  // Isolate and release pending together complete in the order they were posted (no fault).
  const release = await unisolate(device.id);
  t.is(release.status, 201);
  t.is((await unisolate(device.id)).status, 400, "a second release is a duplicate too");
  await waitForStatus(em, token, first.json.id, "Succeeded");
  await waitForStatus(em, token, release.json.id, "Succeeded");
  t.false(em.isolationOf(device.id).isolated);
  // A pending isolation does not block a collection: duplicates are per action type.
  const collect = await send(em, "POST", `/api/machines/${device.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "IR-7" },
  });
  t.is(collect.status, 201);
});

test("an offline device: the isolation stays Pending, then TimeOut, and the device is not isolated", async (t) => {
  const answer = await isolate(FLEET_ROLES.offline.id);
  t.is(answer.status, 201);
  const done = await waitForStatus(em, token, answer.json.id, "TimeOut");
  t.is(done.status, "TimeOut");
  t.false(em.isolationOf(FLEET_ROLES.offline.id).isolated);
});

test("unknown device 404; app without Machine.Isolate 403 naming it", async (t) => {
  const unknown = await isolate("0".repeat(40));
  t.is(unknown.status, 404);
  t.true(isApiError(unknown, "ResourceNotFound"));
  const app = em.addApp({ clientSecret: "s", roles: ["Machine.Read.All", "Machine.CollectForensics"] });
  const weak = await tokenFor(em, app);
  const refused = await unisolate(healthyDevice().id, undefined, weak);
  t.is(refused.status, 403);
  t.true(isApiError(refused, "Forbidden"));
  t.regex(refused.json.error.message, /Machine\.Isolate/);
});

test("users: scp Machine.Isolate and the role Active remediation actions; requestor is the UPN", async (t) => {
  const device = healthyDevice();
  const noScope = em.issueUserToken({ upn: "responder@contoso.com" });
  const a = await isolate(device.id, undefined, noScope);
  t.is(a.status, 403);
  t.regex(a.json.error.message, /scp: Machine\.Isolate/);
  const investigator = em.issueUserToken({ upn: "investigator@contoso.com", scopes: ["Machine.Isolate"] });
  const b = await isolate(device.id, undefined, investigator);
  t.is(b.status, 403);
  t.regex(b.json.error.message, /Active remediation actions/);
  const responder = em.issueUserToken({
    upn: "responder@contoso.com",
    scopes: ["Machine.Isolate", "Machine.Read"],
  });
  const c = await isolate(device.id, undefined, responder);
  t.is(c.status, 201, c.body);
  t.is(c.json.requestor, "responder@contoso.com");
});

test.serial(
  "isolate and unisolate are recorded under their route names; commitThenDrop creates the action",
  async (t) => {
    const device = healthyDevice();
    em.injectFault({ route: "isolate", kind: "commitThenDrop" });
    await t.throwsAsync(isolate(device.id));
    const dropped = em.calls({ route: "isolate" }).filter((c) => c.status === 0);
    t.is(dropped.length, 1);
    t.is(dropped[0]?.errorCode, "commitThenDrop");
    const listed = await send(
      em,
      "GET",
      `/api/machineactions?$filter=machineId eq '${device.id}' and type eq 'Isolate'`,
      { token },
    );
    t.is(listed.json.value.length, 1, "the dropped answer's action exists");
    em.injectFault({ route: "unisolate", kind: "status", status: 503 });
    const failed = await unisolate(device.id);
    t.is(failed.status, 503);
    t.true(em.calls({ route: "unisolate" }).some((c) => c.status === 503));
  },
);

test("the admin API shows a device's isolation state", async (t) => {
  const device = healthyDevice();
  const answer = await isolate(device.id);
  await waitForStatus(em, token, answer.json.id, "Succeeded");
  const state = await send(em, "GET", `/_emulator/fleet/${device.computerDnsName}/isolation`);
  t.is(state.status, 200);
  t.deepEqual(state.json, em.isolationOf(device.id));
  t.true(state.json.isolated);
  t.is((await send(em, "GET", "/_emulator/fleet/nowhere.contoso.com/isolation")).status, 404);
});
