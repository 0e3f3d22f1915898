import test from "ava";
import { type Emulator, FLEET_ROLES, startEmulator } from "../src";
import { isApiError, send, tokenFor, waitForStatus } from "./support";

let em: Emulator;
test.before(async () => {
  em = await startEmulator({
    timeScale: 100,
    lifecycle: { pendingSeconds: 5, inProgressSeconds: 10 },
    users: [
      { upn: "responder@contoso.com" },
      {
        upn: "investigator@contoso.com",
        rolePermissions: ["View data - Security operations", "Alerts investigation"],
      },
      {
        upn: "collector@contoso.com",
        rolePermissions: ["Collect investigation package"],
        rbacGroupIds: [4402],
      },
      { upn: "reader@contoso.com", rolePermissions: ["View data"] },
      { upn: "nobody@contoso.com", rolePermissions: [] },
    ],
  });
});
test.after.always(() => em?.close());

const [incidentWorkstation, otherWorkstation, incidentServer] = FLEET_ROLES.incident.devices;
const collect = (machineId: string, token: string, comment = "IR-4711: collect") =>
  send(em, "POST", `/api/machines/${machineId}/collectInvestigationPackage`, {
    token,
    json: { Comment: comment },
  });

test("a user with Alerts investigation collects; the action's requestor is the UPN", async (t) => {
  const token = em.issueUserToken({ upn: "investigator@contoso.com" });
  const created = await collect(incidentWorkstation!.id, token);
  t.is(created.status, 201, created.body);
  t.is(created.json.requestor, "investigator@contoso.com");
  const done = await waitForStatus(em, token, created.json.id, "Succeeded");
  t.is(done.requestor, "investigator@contoso.com");
  const link = await send(em, "GET", `/api/machineactions/${created.json.id}/GetPackageUri`, { token });
  t.is(link.status, 200, "GetPackageUri takes Machine.CollectForensics for a user");
  const listed = await send(
    em,
    "GET",
    "/api/machineactions?$filter=requestor eq 'investigator@contoso.com'",
    {
      token,
    },
  );
  t.deepEqual(
    listed.json.value.map((a: { id: string }) => a.id),
    [created.json.id],
  );
});

test("scp without Machine.CollectForensics: 403 naming the delegated permission", async (t) => {
  const token = em.issueUserToken({
    upn: "responder@contoso.com",
    scopes: ["Machine.Read", "Machine.ReadWrite"],
  });
  const answer = await collect(FLEET_ROLES.healthy[0]!.id, token);
  t.is(answer.status, 403);
  t.true(isApiError(answer, "Forbidden"));
  t.regex(answer.json.error.message, /delegated permissions \(scp: Machine\.CollectForensics\)/);
  t.is((await send(em, "GET", "/api/machines", { token })).status, 200, "reads need Machine.Read only");
  const noRead = em.issueUserToken({ scopes: ["Machine.CollectForensics"] });
  t.regex(
    (await send(em, "GET", "/api/machines", { token: noRead })).json.error.message,
    /scp: Machine\.Read/,
  );
});

test("a role without Alerts investigation: 403 naming the role permission", async (t) => {
  const reader = em.issueUserToken({ upn: "reader@contoso.com" });
  const answer = await collect(FLEET_ROLES.healthy[1]!.id, reader);
  t.is(answer.status, 403);
  t.true(isApiError(answer, "Forbidden"));
  t.regex(
    answer.json.error.message,
    /reader@contoso\.com does not have the required Defender role permission/,
  );
  t.is((await send(em, "GET", `/api/machines/${FLEET_ROLES.healthy[1]!.id}`, { token: reader })).status, 200);
  const nobody = em.issueUserToken({ upn: "nobody@contoso.com" });
  t.regex((await send(em, "GET", "/api/machines", { token: nobody })).json.error.message, /role permission/);
});

test("device groups: a custom role collects in its group only; others are hidden or 403", async (t) => {
  const token = em.issueUserToken({ upn: "collector@contoso.com" });
  const created = await collect(incidentServer!.id, token);
  t.is(created.status, 201, "Servers (4402) is the user's group; the custom role permission suffices");
  const outside = await collect(FLEET_ROLES.healthy[0]!.id, token);
  t.is(outside.status, 403);
  t.true(isApiError(outside, "Forbidden"));
  t.regex(outside.json.error.message, /no access to machine .*device group 4401/);
  const getOutside = await send(em, "GET", `/api/machines/${FLEET_ROLES.healthy[0]!.id}`, { token });
  t.regex(getOutside.json.error.message, /device group 4401/);
  const listed = await send(em, "GET", "/api/machines", { token });
  t.true(listed.json.value.length > 0);
  t.true(listed.json.value.every((m: { rbacGroupId: number }) => m.rbacGroupId === 4402));
  const tagged = await send(em, "GET", `/api/machines/findbytag?tag=${FLEET_ROLES.incident.tag}`, { token });
  t.deepEqual(
    tagged.json.value.map((m: { id: string }) => m.id),
    [incidentServer!.id],
  );
  // An action on a device outside the user's groups is refused, and left out of lists.
  const appAction = await collect(otherWorkstation!.id, await tokenFor(em));
  t.is(appAction.status, 201);
  t.true(
    isApiError(await send(em, "GET", `/api/machineactions/${appAction.json.id}`, { token }), "Forbidden"),
  );
  const actions = await send(em, "GET", "/api/machineactions", { token });
  t.false(actions.json.value.some((a: { id: string }) => a.id === appAction.json.id));
});

test("application tokens keep their behaviour: requestor is the app id, roles decide", async (t) => {
  const created = await collect(FLEET_ROLES.healthy[3]!.id, await tokenFor(em));
  t.is(created.status, 201);
  t.is(created.json.requestor, em.defaultApp.clientId);
});

test("cancel with a user token records the UPN as cancellation requestor", async (t) => {
  const token = em.issueUserToken();
  const created = await collect(FLEET_ROLES.offline.id, token);
  t.is(created.status, 201);
  const cancelled = await send(em, "POST", `/api/machineactions/${created.json.id}/cancel`, {
    token,
    json: { Comment: "wrong device" },
  });
  t.is(cancelled.status, 200);
  t.is(cancelled.json.cancellationRequestor, "responder@contoso.com");
});
