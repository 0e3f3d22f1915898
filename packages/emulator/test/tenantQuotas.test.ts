import test from "ava";
import { type Emulator, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

// 10 emulated seconds per real second: the one-minute window lasts six real seconds, ample for a few calls.
let em: Emulator;
test.before(async () => {
  em = await startEmulator({ tenants: 2, timeScale: 10, tokenLifetimeSeconds: 86_400 });
});
test.after.always(() => em?.close());

const machine = (i: number) => `/api/machines/${em.tenant(i).fleet[0]!.computerDnsName}`;

test.serial("quotas are per app and tenant: tenant 0's 429 leaves tenant 1 untouched", async (t) => {
  const [zero, one] = await Promise.all(em.tenants.map((x) => tokenFor(em, x.defaultApp)));
  em.tenant(0).consumeQuota({ route: "listMachines", count: 100 });
  const throttled = await send(em, "GET", "/api/machines", { token: zero });
  t.is(throttled.status, 429);
  t.true(isApiError(throttled, "TooManyRequests"));
  t.is((await send(em, "GET", "/api/machines", { token: one })).status, 200, "tenant 1 still has its minute");
  t.is(em.tenant(1).calls({ route: "listMachines" }).at(-1)?.status, 200);
  t.is(em.tenant(0).calls({ route: "listMachines" }).at(-1)?.status, 429);
});

test.serial("a multi-tenant app (one client id in two tenants) has a quota in each tenant", async (t) => {
  const clientId = "6f0c2d1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";
  const apps = em.tenants.map((x) => x.addApp({ clientId, clientSecret: `secret-${x.index}` }));
  const [zero, one] = await Promise.all(apps.map((app) => tokenFor(em, app)));
  // 99 calls by another runner of the app in tenant 0, the 100th through the API, then the 101st is refused there only.
  em.tenant(0).consumeQuota({ clientId, route: "getMachine", count: 99 });
  t.is((await send(em, "GET", machine(0), { token: zero })).status, 200);
  t.is((await send(em, "GET", machine(0), { token: zero })).status, 429);
  t.is((await send(em, "GET", machine(1), { token: one })).status, 200);
  const inZero = em.calls({ route: "getMachine", clientId, tenantId: apps[0]!.tenantId });
  t.deepEqual(
    inZero.map((c) => c.status),
    [200, 429],
  );
  t.deepEqual(
    em.calls({ route: "getMachine", clientId, tenantId: apps[1]!.tenantId }).map((c) => c.status),
    [200],
  );
});

test.serial("every call records its tenant: token requests, API calls, counts per tenant", async (t) => {
  em.resetRecord();
  await tokenFor(em, em.tenant(1).defaultApp);
  const zero = await tokenFor(em);
  await send(em, "GET", machine(0), { token: zero });
  const one = em.tenant(1).issueToken();
  await send(em, "GET", machine(1), { token: one });
  await send(em, "GET", machine(1), { token: one });
  const [tid0, tid1] = em.tenants.map((x) => x.tenantId);
  t.deepEqual(
    em.calls().map((c) => [c.route, c.tenantId]),
    [
      ["token", tid1],
      ["token", tid0],
      ["getMachine", tid0],
      ["getMachine", tid1],
      ["getMachine", tid1],
    ],
  );
  t.is(em.tenant(1).calls({ route: "getMachine" }).length, 2);
  t.is(em.calls({ tenantId: tid0?.toUpperCase() ?? "" }).length, 2, "tenant ids compare without case");
  const admin = await send(em, "GET", `/_emulator/calls?route=getMachine&tenantId=${tid1}`);
  t.is(admin.json.length, 2);
});

test.serial("a fault scoped to a tenant hits only that tenant's calls", async (t) => {
  const [zero, one] = await Promise.all(em.tenants.map((x) => tokenFor(em, x.defaultApp)));
  em.tenant(1).injectFault({ route: "getAction", kind: "status", status: 503 });
  const path = "/api/machineactions/7d2b8f1e-0000-4000-8000-000000000000";
  t.is((await send(em, "GET", path, { token: zero })).status, 404, "tenant 0 passes the fault by");
  t.is((await send(em, "GET", path, { token: one })).status, 503);
  t.is((await send(em, "GET", path, { token: one })).status, 404, "used up");

  em.injectFault({ route: "token", kind: "status", status: 500, tenantId: em.tenant(0).tenantId });
  await t.notThrowsAsync(tokenFor(em, em.tenant(1).defaultApp));
  await t.throwsAsync(tokenFor(em), { message: /token request failed/ });
  t.throws(() => em.injectFault({ route: "token", kind: "status", status: 500, tenantId: "" }), {
    instanceOf: RangeError,
  });
});

test.serial("reset forgets every tenant's actions", async (t) => {
  const one = await tokenFor(em, em.tenant(1).defaultApp);
  const device = em.tenant(1).fleet.find((d) => d.healthStatus === "Active" && d.osPlatform === "Windows11");
  const created = await send(em, "POST", `/api/machines/${device!.id}/collectInvestigationPackage`, {
    token: one,
    json: { Comment: "IR-22 reset" },
  });
  t.is(created.status, 201);
  t.is(em.packageSize(created.json.id) > 0, true, "the emulator finds a tenant 1 action by id");
  t.is((await send(em, "POST", "/_emulator/reset")).status, 204);
  t.is((await send(em, "GET", `/api/machineactions/${created.json.id}`, { token: one })).status, 404);
  t.throws(() => em.packageSize(created.json.id));
});
