import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { type Emulator, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

let em: Emulator;
let token: string;
test.before(async () => {
  em = await startEmulator();
  token = await tokenFor(em);
});
test.after.always(() => em?.close());

async function list(filter: string, extra = ""): Promise<{ computerDnsName: string }[]> {
  const answer = await send(em, "GET", `/api/machines?$filter=${encodeURIComponent(filter)}${extra}`, {
    token,
  });
  if (answer.status !== 200) throw new Error(answer.body);
  return answer.json.value;
}

test("the default fleet: ~20 devices, deterministic 40-hex ids, every family and health state", async (t) => {
  const again = await startEmulator();
  t.teardown(() => again.close());
  t.true(em.fleet.length >= 18);
  t.deepEqual(
    again.fleet.map((d) => d.id),
    em.fleet.map((d) => d.id),
  );
  for (const d of em.fleet) t.regex(d.id, /^[0-9a-f]{40}$/);
  const platforms = new Set(em.fleet.map((d) => d.osPlatform));
  for (const p of ["Windows10", "Windows11", "WindowsServer2019", "WindowsServer2022", "Linux", "macOS"])
    t.true(platforms.has(p), p);
  const health = new Set(em.fleet.map((d) => d.healthStatus));
  for (const h of ["Active", "Inactive", "ImpairedCommunication", "NoSensorData"]) t.true(health.has(h), h);
  t.true(em.fleet.some((d) => d.behavior?.offline));
  t.true(em.fleet.some((d) => d.behavior?.collectionOutcome === "Failed"));
});

test("get by id or computer DNS name, without emulator-only fields", async (t) => {
  const device = em.fleet[0]!;
  const byId = await send(em, "GET", `/api/machines/${device.id}`, { token });
  t.is(byId.status, 200);
  t.is(byId.json.computerDnsName, device.computerDnsName);
  for (const key of [
    "id",
    "osPlatform",
    "osVersion",
    "healthStatus",
    "onboardingStatus",
    "machineTags",
    "lastSeen",
    "lastIpAddress",
    "riskScore",
    "exposureLevel",
    "rbacGroupId",
    "aadDeviceId",
  ]) {
    t.true(key in byId.json, key);
  }
  const byName = await send(em, "GET", `/api/machines/${device.computerDnsName.toUpperCase()}`, { token });
  t.is(byName.json.id, device.id);
  const offline = em.fleet.find((d) => d.behavior)!;
  const hidden = await send(em, "GET", `/api/machines/${offline.id}`, { token });
  t.false("behavior" in hidden.json);
  t.true(isApiError(await send(em, "GET", "/api/machines/nope.contoso.com", { token }), "ResourceNotFound"));
});

test("$filter: tags, health, platform, name, id, and, or, quotes with '' escaping", async (t) => {
  t.deepEqual((await list("machineTags/any(tag: tag eq 'VIP')")).map((d) => d.computerDnsName).sort(), [
    "exec-lt-0004.contoso.com",
    "exec-mbp-02.contoso.com",
  ]);
  const activeLinux = await list("healthStatus eq 'Active' and osPlatform eq 'Linux'");
  t.is(activeLinux.length, 3);
  t.is((await list("computerDnsName eq 'dc01.contoso.com'")).length, 1);
  t.is((await list(`id eq '${em.fleet[3]!.id}'`))[0]?.computerDnsName, em.fleet[3]!.computerDnsName);
  t.is((await list("osPlatform eq 'macOS' or osPlatform eq 'Windows7'")).length, 3);
  t.is((await list("computerDnsName eq 'o''brien.contoso.com'")).length, 0, "'' parses as a quote");
  t.is((await list("(healthStatus eq 'Inactive') and not (osPlatform eq 'Linux')")).length, 2);
  t.is((await list("rbacGroupId eq 4402 and machineTags/any(t: t eq 'Tier0')")).length, 2);
  t.true((await list(`lastSeen gt ${new Date(Date.now() - 3_600_000).toISOString()}`)).length >= 10);
});

test("$top and $skip page through the fleet", async (t) => {
  const all = await send(em, "GET", "/api/machines", { token });
  const page = await send(em, "GET", "/api/machines?$top=5&$skip=5", { token });
  t.deepEqual(page.json.value, all.json.value.slice(5, 10));
  t.regex(all.json["@odata.context"], /\$metadata#Machines$/);
});

test("bad filters: 400 ODataError", async (t) => {
  for (const filter of [
    "computerDnsName eq 'unterminated",
    "nosuchfield eq 'x'",
    "computerDnsName eq",
    "contains(computerDnsName,'x')",
  ]) {
    const answer = await send(em, "GET", `/api/machines?$filter=${encodeURIComponent(filter)}`, { token });
    t.is(answer.status, 400, filter);
    t.true(isApiError(answer, "ODataError"), filter);
  }
  t.true(isApiError(await send(em, "GET", "/api/machines?$top=-1", { token }), "ODataError"));
});

test("a fleet file: minimal devices get plausible fields and derived ids", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "fleet-"));
  const file = join(dir, "fleet.json");
  writeFileSync(
    file,
    JSON.stringify([
      { computerDnsName: "a.lab.test", osPlatform: "Windows11", machineTags: ["Lab"] },
      {
        id: "ab".repeat(20),
        computerDnsName: "b.lab.test",
        osPlatform: "Linux",
        behavior: { offline: true },
      },
    ]),
  );
  const local = await startEmulator({ fleet: file });
  t.teardown(() => local.close());
  t.is(local.fleet.length, 2);
  t.regex(local.fleet[0]!.id, /^[0-9a-f]{40}$/);
  t.is(local.fleet[0]!.healthStatus, "Active");
  const answer = await send(local, "GET", "/api/machines?$filter=machineTags/any(x: x eq 'Lab')", {
    token: await tokenFor(local),
  });
  t.is(answer.json.value.length, 1);
  await t.throwsAsync(
    startEmulator({ fleet: [{ id: "xyz", computerDnsName: "c", osPlatform: "Linux" } as never] }),
  );
});
