import test from "ava";
import { startEmulator } from "../src";
import { send, tokenFor } from "./support";

test("every call is recorded with route, app, status, times and concurrency", async (t) => {
  const em = await startEmulator({ timeScale: 1000, lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 } });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  em.injectFault({ route: "listMachines", kind: "latency", ms: 150, times: 3 });
  await Promise.all([1, 2, 3].map(() => send(em, "GET", "/api/machines", { token })));
  const lists = em.calls({ route: "listMachines" });
  t.is(lists.length, 3);
  t.deepEqual(lists.map((c) => c.concurrent).sort(), [1, 2, 3]);
  for (const call of lists) {
    t.is(call.clientId, em.defaultApp.clientId);
    t.is(call.tenantId, em.defaultApp.tenantId);
    t.is(call.status, 200);
    t.is(call.method, "GET");
    t.true(call.endMs - call.startMs >= 140);
  }
  const token401 = await send(em, "GET", "/api/machines");
  t.is(token401.status, 401);
  const failed = em.calls({ route: "listMachines" }).at(-1)!;
  t.is(failed.errorCode, "Unauthorized");
  t.is(em.calls({ route: "token" }).length, 1);
  t.is(em.calls({ clientId: em.defaultApp.clientId }).length, 4);
  t.deepEqual(em.counters().listMachines, { total: 4, byStatus: { "200": 3, "401": 1 } });
  em.resetRecord();
  t.deepEqual(em.calls(), []);
});

test("recorded paths and logs carry no link signatures, tokens or secrets", async (t) => {
  const lines: string[] = [];
  const em = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    log: (line) => lines.push(line),
  });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const created = await send(em, "POST", `/api/machines/${em.fleet[0]!.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "x" },
  });
  const link = (await send(em, "GET", `/api/machineactions/${created.json.id}/GetPackageUri`, { token })).json
    .value;
  t.is((await send(em, "GET", link)).status, 200);
  const sig = new URL(link).searchParams.get("sig")!;
  const everything = JSON.stringify(em.calls()) + lines.join("\n");
  t.false(everything.includes(sig));
  t.false(everything.includes(encodeURIComponent(sig)));
  t.false(everything.includes(token));
  t.false(everything.includes(em.defaultApp.clientSecret));
  t.true(em.calls({ route: "download" })[0]!.path.includes("sig=REDACTED"));
  t.true(lines.some((l) => l.includes("collectInvestigationPackage") && l.includes("201")));
});

test("admin API: calls, counters, reset, time, apps, fleet, health", async (t) => {
  const em = await startEmulator({ lifecycle: { pendingSeconds: 10, inProgressSeconds: 10 } });
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  await send(em, "GET", "/api/machines", { token });
  const calls = await send(em, "GET", "/_emulator/calls?route=listMachines");
  t.is(calls.status, 200);
  t.is(calls.json.length, 1);
  t.is(calls.json[0].route, "listMachines");
  t.is((await send(em, "GET", "/_emulator/counters")).json.listMachines.total, 1);
  t.is((await send(em, "GET", "/_emulator/health")).json.status, "ok");
  t.is((await send(em, "GET", "/_emulator/fleet")).json.length, em.fleet.length);

  const apps = await send(em, "GET", "/_emulator/apps");
  t.false(JSON.stringify(apps.json).includes(em.defaultApp.clientSecret), "no secrets listed");
  const added = await send(em, "POST", "/_emulator/apps", {
    json: { clientSecret: "abc", roles: ["Machine.Read.All"] },
  });
  t.is(added.status, 201);
  t.is((await send(em, "GET", "/api/machines", { token: await tokenFor(em, added.json) })).status, 200);

  const created = await send(em, "POST", `/api/machines/${em.fleet[0]!.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "x" },
  });
  t.is((await send(em, "POST", "/_emulator/time", { json: { advanceSeconds: 25 } })).status, 200);
  t.is((await send(em, "GET", `/api/machineactions/${created.json.id}`, { token })).json.status, "Succeeded");

  t.is((await send(em, "DELETE", "/_emulator/calls")).status, 204);
  t.is(em.calls({ route: "listMachines" }).length, 0);
  t.is((await send(em, "POST", "/_emulator/reset")).status, 204);
  t.is(
    (await send(em, "GET", `/api/machineactions/${created.json.id}`, { token })).status,
    404,
    "reset forgets actions",
  );
  t.is((await send(em, "GET", "/_emulator/nothing")).status, 404);
});
