import { createHash } from "node:crypto";
import test from "ava";
import {
  type Emulator,
  FILE_NOT_FOUND_MESSAGE,
  FLEET_ROLES,
  KNOWN_DEVICE_FILES,
  startEmulator,
} from "../src";
import { download } from "./downloadSupport";
import { isApiError, send, tokenFor, waitForStatus } from "./support";

// 1000 emulated seconds per real second: Pending 0.1 s, each command 0.1 s.
const LIFECYCLE = { pendingSeconds: 100, inProgressSeconds: 400, liveResponseCommandSeconds: 100 };
const W = KNOWN_DEVICE_FILES.windows;

let em: Emulator;
let token: string;
test.before(async () => {
  em = await startEmulator({
    timeScale: 1000,
    lifecycle: LIFECYCLE,
    tokenLifetimeSeconds: 86_400,
    users: [
      { upn: "responder@contoso.com" },
      { upn: "basic@contoso.com", rolePermissions: ["View data", "Live response capabilities - Basic"] },
    ],
  });
  token = await tokenFor(em);
});
test.after.always(() => em?.close());

const getFile = (path: string) => ({ type: "GetFile", params: [{ key: "Path", value: path }] });
const run = (machineId: string, paths: string[], t = token) =>
  send(em, "POST", `/api/machines/${machineId}/runliveresponse`, {
    token: t,
    json: { Commands: paths.map(getFile), Comment: "IR-9: files" },
  });
const linkOf = (actionId: string, index: number, t = token) =>
  send(em, "GET", `/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=${index})`, {
    token: t,
  });

const [incidentWs, incidentWs2, incidentSrv] = FLEET_ROLES.incident.devices;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

test("GetFile of two files: 201 LiveResponse with Created commands, then Completed, links to the files' bytes", async (t) => {
  const device = incidentWs!;
  const answer = await run(device.id, [W.hosts, W.prefetch]);
  t.is(answer.status, 201, answer.body);
  t.is(answer.json.type, "LiveResponse");
  t.is(answer.json.status, "Pending");
  t.deepEqual(
    answer.json.commands.map((c: { index: number; commandStatus: string; errors: string[] }) => [
      c.index,
      c.commandStatus,
      c.errors,
    ]),
    [
      [0, "Created", []],
      [1, "Created", []],
    ],
  );
  t.deepEqual(answer.json.commands[1].command, getFile(W.prefetch));
  t.is(answer.json.commands[0].startTime, null);
  const early = await linkOf(answer.json.id, 0);
  t.is(early.status, 404, "no result before the command completed");
  t.true(isApiError(early, "ResourceNotFound"));
  const done = await waitForStatus(em, token, answer.json.id, "Succeeded");
  t.deepEqual(
    done.commands.map((c: { commandStatus: string }) => c.commandStatus),
    ["Completed", "Completed"],
  );
  t.true(Date.parse(done.commands[1].startTime) >= Date.parse(done.commands[0].endTime), "one after another");
  for (const [index, path] of [W.hosts, W.prefetch].entries()) {
    const link = await linkOf(answer.json.id, index);
    t.is(link.status, 200);
    t.regex(link.json["@odata.context"], /\$metadata#Edm\.String$/);
    const file = await download(em, link.json.value);
    t.is(file.status, 200);
    const expected = em.deviceFile(device.id, path)!;
    t.is(sha256(file.body), sha256(expected), path);
    t.is(file.headers["content-md5"], createHash("md5").update(expected).digest("base64"));
    t.is(file.headers["content-type"], "application/octet-stream");
  }
  t.regex(
    em.deviceFile(device.id, W.hosts)!.toString("utf8"),
    new RegExp(device.computerDnsName.replace(".", "\\.")),
  );
  t.deepEqual(em.deviceFile(device.id, W.prefetch)!.subarray(0, 3), Buffer.from("MAM"));
});

test("a missing file fails its command with File not found; later commands never run; the action is Failed", async (t) => {
  const device = incidentWs2!;
  const answer = await run(device.id, [W.hosts, "C:\\Windows\\Temp\\gone.exe", W.securityLog]);
  const done = await waitForStatus(em, token, answer.json.id, "Failed");
  t.is(done.status, "Failed");
  const [first, missing, never] = done.commands;
  t.is(first.commandStatus, "Completed");
  t.is(missing.commandStatus, "Failed");
  t.deepEqual(missing.errors, [FILE_NOT_FOUND_MESSAGE]);
  t.is(never.commandStatus, "Created");
  t.is(never.startTime, null);
  t.is((await linkOf(answer.json.id, 0)).status, 200, "the completed command's file is still there");
  const failedLink = await linkOf(answer.json.id, 1);
  t.is(failedLink.status, 404);
  t.regex(failedLink.json.error.message, /command status Failed/);
  const outOfRange = await linkOf(answer.json.id, 3);
  t.is(outOfRange.status, 400);
  t.true(isApiError(outOfRange, "InvalidInput"));
});

test("paths compare without case on Windows and exactly on Linux; files put or removed by a test", async (t) => {
  const linux = em.fleet.find((d) => d.osPlatform === "Linux" && d.healthStatus === "Active" && !d.behavior)!;
  t.truthy(em.deviceFile(incidentSrv!.id, W.hosts.toUpperCase()));
  t.truthy(em.deviceFile(linux.id, KNOWN_DEVICE_FILES.linux.hosts));
  t.is(em.deviceFile(linux.id, "/ETC/HOSTS"), undefined);
  em.setDeviceFile(incidentSrv!.id, "C:\\Temp\\evil.ps1", "Write-Host pwned");
  em.setDeviceFile(incidentSrv!.id, W.hosts, null);
  const answer = await run(incidentSrv!.id, ["c:\\temp\\EVIL.ps1", W.hosts]);
  const done = await waitForStatus(em, token, answer.json.id, "Failed");
  t.deepEqual(
    done.commands.map((c: { commandStatus: string }) => c.commandStatus),
    ["Completed", "Failed"],
  );
  const file = await download(em, (await linkOf(answer.json.id, 0)).json.value);
  t.is(file.body.toString("utf8"), "Write-Host pwned");
  t.regex(file.headers["content-disposition"] ?? "", /filename="EVIL\.ps1"/);
});

test("body checks: Commands required and case-sensitive, known types only, GetFile needs Path", async (t) => {
  const device = FLEET_ROLES.healthy[0]!;
  const post = (json: unknown) =>
    send(em, "POST", `/api/machines/${device.id}/runliveresponse`, { token, json });
  const lower = await post({ commands: [getFile(W.hosts)], Comment: "x" });
  t.true(isApiError(lower, "InvalidRequestBody"));
  t.regex(lower.json.error.message, /case-sensitive: use 'Commands'/);
  t.true(isApiError(await post({ Commands: [getFile(W.hosts)] }), "InvalidRequestBody"), "Comment required");
  t.true(
    isApiError(await post({ Commands: [{ type: "Dir", params: [] }], Comment: "x" }), "InvalidRequestBody"),
  );
  const script = await post({
    Commands: [{ type: "RunScript", params: [{ key: "ScriptName", value: "a.ps1" }] }],
    Comment: "x",
  });
  t.true(isApiError(script, "InvalidInput"));
  t.regex(script.json.error.message, /only GetFile/);
  t.true(
    isApiError(
      await post({ Commands: [{ type: "GetFile", params: [] }], Comment: "x" }),
      "InvalidRequestBody",
    ),
  );
});

test("a second session on the device while one runs: 400 ActiveRequestAlreadyExists", async (t) => {
  const device = FLEET_ROLES.healthy[1]!;
  const first = await run(device.id, [W.hosts]);
  t.is(first.status, 201);
  const second = await run(device.id, [W.hosts]);
  t.is(second.status, 400);
  t.true(isApiError(second, "ActiveRequestAlreadyExists"));
  await waitForStatus(em, token, first.json.id, "Succeeded");
  t.is((await run(device.id, [W.hosts])).status, 201, "allowed again once it ended");
});

test("permissions: Machine.LiveResponse to run; Machine.ReadWrite.All for the link; users need Advanced live response", async (t) => {
  const device = FLEET_ROLES.healthy[2]!;
  const noLr = await tokenFor(em, em.addApp({ clientSecret: "s", roles: ["Machine.ReadWrite.All"] }));
  const a = await run(device.id, [W.hosts], noLr);
  t.is(a.status, 403);
  t.regex(a.json.error.message, /Machine\.LiveResponse/);
  const basic = em.issueUserToken({ upn: "basic@contoso.com", scopes: ["Machine.LiveResponse"] });
  const b = await run(device.id, [W.hosts], basic);
  t.is(b.status, 403);
  t.regex(b.json.error.message, /Advanced live response/);
  const responder = em.issueUserToken({
    upn: "responder@contoso.com",
    scopes: ["Machine.LiveResponse", "Machine.Read"],
  });
  const c = await run(device.id, [W.hosts], responder);
  t.is(c.status, 201, c.body);
  t.is(c.json.requestor, "responder@contoso.com");
  await waitForStatus(em, token, c.json.id, "Succeeded");
  t.is((await linkOf(c.json.id, 0, responder)).status, 200, "a user's link takes Machine.LiveResponse");
  const lrOnly = await tokenFor(
    em,
    em.addApp({ clientSecret: "s", roles: ["Machine.LiveResponse", "Machine.Read.All"] }),
  );
  const d = await linkOf(c.json.id, 0, lrOnly);
  t.is(d.status, 403);
  t.regex(d.json.error.message, /Machine\.ReadWrite\.All/);
});

test("a link on a collection is 404; GetPackageUri on a live response is 404", async (t) => {
  const device = FLEET_ROLES.healthy[4]!;
  const lr = await run(device.id, [KNOWN_DEVICE_FILES.macOS.hosts]);
  await waitForStatus(em, token, lr.json.id, "Succeeded");
  const pkg = await send(em, "GET", `/api/machineactions/${lr.json.id}/GetPackageUri`, { token });
  t.is(pkg.status, 404);
  const collect = await send(em, "POST", `/api/machines/${device.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "x" },
  });
  const link = await linkOf(collect.json.id, 0);
  t.is(link.status, 404);
  t.true(isApiError(link, "ResourceNotFound"));
});
