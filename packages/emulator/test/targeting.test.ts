import test from "ava";
import { type Emulator, FLEET_ROLES, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

let em: Emulator;
let token: string;
test.before(async () => {
  em = await startEmulator();
  token = await tokenFor(em);
});
test.after.always(() => em?.close());

// biome-ignore lint/suspicious/noExplicitAny: machine bodies are asserted field by field
async function list(query: string): Promise<any[]> {
  const answer = await send(em, "GET", `/api/machines?${query}`, { token });
  if (answer.status !== 200) throw new Error(answer.body);
  return answer.json.value;
}
const filter = (expression: string) => list(`$filter=${encodeURIComponent(expression)}`);
const names = (machines: readonly { computerDnsName: string }[]) =>
  machines.map((m) => m.computerDnsName).sort();

test("the first twenty devices keep their ids and order; the new ones are appended", (t) => {
  t.is(em.fleet.length, 25);
  t.is(em.fleet[16]?.id, FLEET_ROLES.offline.id);
  t.is(em.fleet[17]?.id, FLEET_ROLES.failing.id);
  t.is(em.fleet[18]?.id, FLEET_ROLES.unsupported.id);
  const byId = new Map(em.fleet.map((d) => [d.id, d]));
  for (const ref of [
    FLEET_ROLES.offline,
    FLEET_ROLES.failing,
    FLEET_ROLES.unsupported,
    ...FLEET_ROLES.healthy,
    ...FLEET_ROLES.inactive,
    ...FLEET_ROLES.incident.devices,
    FLEET_ROLES.reonboarded.active,
    FLEET_ROLES.reonboarded.stale,
  ]) {
    t.is(byId.get(ref.id)?.computerDnsName, ref.computerDnsName, ref.computerDnsName);
  }
  for (const ref of FLEET_ROLES.inactive) t.is(byId.get(ref.id)?.healthStatus, "Inactive");
  for (const ref of FLEET_ROLES.incident.devices) {
    const device = byId.get(ref.id)!;
    t.is(device.healthStatus, "Active");
    t.regex(device.osPlatform, /^Windows/);
    t.falsy(device.behavior);
  }
});

test("incident devices: by $filter any() and by findbytag, exact or starts-with, tags without case", async (t) => {
  const tagged = names(FLEET_ROLES.incident.devices);
  t.deepEqual(names(await filter("machineTags/any(tag: tag eq 'incident-4711')")), tagged);
  t.deepEqual(names(await filter("machineTags/any(tag: tag eq 'INCIDENT-4711')")), tagged);
  const exact = await send(em, "GET", "/api/machines/findbytag?tag=incident-4711&useStartsWithFilter=false", {
    token,
  });
  t.is(exact.status, 200);
  t.regex(exact.json["@odata.context"], /\$metadata#Machines$/);
  t.deepEqual(names(exact.json.value), tagged);
  t.false("behavior" in exact.json.value[0]);
  const prefix = await send(em, "GET", "/api/machines/findbytag?tag=incident-&useStartsWithFilter=true", {
    token,
  });
  t.deepEqual(names(prefix.json.value), tagged);
  const noPrefix = await send(em, "GET", "/api/machines/findbytag?tag=incident-", { token });
  t.deepEqual(noPrefix.json.value, [], "useStartsWithFilter defaults to false");
  t.true(isApiError(await send(em, "GET", "/api/machines/findbytag", { token }), "MissingRequiredParameter"));
  t.true(
    isApiError(
      await send(em, "GET", "/api/machines/findbytag?tag=x&useStartsWithFilter=maybe", { token }),
      "InvalidInput",
    ),
  );
});

test("a re-onboarded device: the name lists both; get by name answers the one seen last", async (t) => {
  const { computerDnsName, active, stale } = FLEET_ROLES.reonboarded;
  const both = await filter(`computerDnsName eq '${computerDnsName.toUpperCase()}'`);
  t.deepEqual(both.map((m) => m.id).sort(), [active.id, stale.id].sort(), "names compare without case");
  const current = both.find((m) => m.id === active.id);
  const old = both.find((m) => m.id === stale.id);
  t.is(current.healthStatus, "Active");
  t.is(old.healthStatus, "Inactive");
  t.true(Date.parse(current.lastSeen) > Date.parse(old.lastSeen) + 30 * 86_400_000);
  const byName = await send(em, "GET", `/api/machines/${computerDnsName}`, { token });
  t.is(byName.json.id, active.id);
  t.is((await send(em, "GET", `/api/machines/${stale.id}`, { token })).json.healthStatus, "Inactive");
});

test("$filter on every documented field", async (t) => {
  const device = em.fleet.find((d) => d.id === FLEET_ROLES.incident.devices[0]!.id)!;
  const cases: [string, (m: Record<string, unknown>) => boolean][] = [
    [`id eq '${device.id}'`, (m) => m.id === device.id],
    [`version eq '24H2'`, (m) => m.version === "24H2"],
    [`deviceValue eq 'High'`, (m) => m.deviceValue === "High"],
    [`aadDeviceId eq '${device.aadDeviceId}'`, (m) => m.aadDeviceId === device.aadDeviceId],
    [
      `lastSeen lt ${new Date(Date.now() - 7 * 86_400_000).toISOString()}`,
      (m) => m.healthStatus === "Inactive",
    ],
    [`exposureLevel eq 'High'`, (m) => m.exposureLevel === "High"],
    [`onboardingStatus eq 'Onboarded'`, () => true],
    [`lastIpAddress eq '10.10.9.21'`, (m) => m.lastIpAddress === "10.10.9.21"],
    [`healthStatus eq 'ImpairedCommunication'`, (m) => m.healthStatus === "ImpairedCommunication"],
    [`osPlatform eq 'windowsserver2022'`, (m) => m.osPlatform === "WindowsServer2022"],
    [`riskScore eq 'High'`, (m) => m.riskScore === "High"],
    [`rbacGroupId eq 4404`, (m) => m.rbacGroupId === 4404],
  ];
  const all = await list("");
  for (const [expression, expected] of cases) {
    const got = await filter(expression);
    t.true(got.length > 0, expression);
    t.deepEqual(names(got), names(all.filter(expected)), expression);
  }
});

test("$top (at most 10000) and $skip page through the 25 devices", async (t) => {
  const all = await list("");
  t.is(all.length, 25);
  const pages = [
    ...(await list("$top=10")),
    ...(await list("$top=10&$skip=10")),
    ...(await list("$top=10&$skip=20")),
  ];
  t.deepEqual(pages, all);
  t.is((await list("$top=10000")).length, 25);
  t.true(isApiError(await send(em, "GET", "/api/machines?$top=10001", { token }), "ODataError"));
});

test("find by tag has its own quota of 100 a minute and 1500 an hour per app and tenant", async (t) => {
  // Its own emulator: spending the default app's quota here must not throttle the other tests.
  const em = await startEmulator();
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const { clientId, tenantId } = em.defaultApp;
  em.consumeQuota({ clientId, tenantId, route: "findMachinesByTag", count: 100 });
  const refused = await send(em, "GET", "/api/machines/findbytag?tag=VIP", { token });
  t.is(refused.status, 429);
  t.true(Number(refused.headers["retry-after"]) >= 1);
  t.is((await send(em, "GET", "/api/machines", { token })).status, 200, "list has its own quota");
  em.advanceTime(61);
  t.is((await send(em, "GET", "/api/machines/findbytag?tag=VIP", { token })).status, 200);
  em.consumeQuota({ clientId, tenantId, route: "findMachinesByTag", count: 1400 });
  em.advanceTime(61);
  t.is((await send(em, "GET", "/api/machines/findbytag?tag=VIP", { token })).status, 429, "1500 an hour");
});
