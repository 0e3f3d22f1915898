import test, { type ExecutionContext } from "ava";
import { FLEET_ROLES, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

// Tests move emulated time, so each has its own emulator and they can run concurrently.
async function setup(t: ExecutionContext) {
  const em = await startEmulator();
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const byTag = async (tag: string): Promise<string[]> => {
    const answer = await send(em, "GET", `/api/machines/findbytag?tag=${encodeURIComponent(tag)}`, { token });
    return (answer.json.value as { id: string }[]).map((m) => m.id).sort();
  };
  return { em, token, byTag };
}

test("setMachineTags changes the tag set the API answers with (method and admin API)", async (t) => {
  const { em, token, byTag } = await setup(t);
  const [first, second] = FLEET_ROLES.healthy;
  t.deepEqual(await byTag("wave-2"), []);
  const device = em.setMachineTags(first!.computerDnsName, ["wave-2", "wave-2", "Finance"]);
  t.deepEqual(device.machineTags, ["wave-2", "Finance"], "one copy of each tag");
  t.deepEqual(await byTag("wave-2"), [first!.id]);
  const put = await send(em, "PUT", `/_emulator/fleet/${second!.id}/tags`, { json: { tags: ["wave-2"] } });
  t.is(put.status, 200);
  t.deepEqual(put.json.machineTags, ["wave-2"]);
  t.deepEqual(await byTag("wave-2"), [first!.id, second!.id].sort());
  em.setMachineTags(first!.id, []);
  t.deepEqual(await byTag("wave-2"), [second!.id]);
  const machine = await send(em, "GET", `/api/machines/${second!.id}`, { token });
  t.deepEqual(machine.json.machineTags, ["wave-2"]);
  t.is((await send(em, "PUT", "/_emulator/fleet/nope/tags", { json: { tags: [] } })).status, 400);
  t.is((await send(em, "PUT", `/_emulator/fleet/${second!.id}/tags`, { json: { tags: "x" } })).status, 400);
  t.throws(() => em.setMachineTags("nope.contoso.com", []), { message: /no device/ });
});

test("onboardDevice: invisible and 404 to collect until its emulated delay has passed", async (t) => {
  const { em, token, byTag } = await setup(t);
  const lab = em.onboardDevice(
    { computerDnsName: "lab-vm-0042.contoso.com", osPlatform: "Windows11", machineTags: ["lab-vm"] },
    { afterSeconds: 300 },
  );
  t.regex(lab.id, /^[0-9a-f]{40}$/);
  t.true(em.fleet.includes(lab), "em.fleet holds it already");
  t.deepEqual(await byTag("lab-vm"), []);
  t.true(isApiError(await send(em, "GET", `/api/machines/${lab.id}`, { token }), "ResourceNotFound"));
  t.true(
    isApiError(await send(em, "GET", "/api/machines/lab-vm-0042.contoso.com", { token }), "ResourceNotFound"),
  );
  const listed = await send(em, "GET", "/api/machines?$filter=computerDnsName eq 'lab-vm-0042.contoso.com'", {
    token,
  });
  t.deepEqual(listed.json.value, []);
  const early = await send(em, "POST", `/api/machines/${lab.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "IR-42" },
  });
  t.true(isApiError(early, "ResourceNotFound"));

  em.advanceTime(301);
  t.deepEqual(await byTag("lab-vm"), [lab.id]);
  const machine = await send(em, "GET", `/api/machines/${lab.id}`, { token });
  t.is(machine.status, 200);
  t.false("behavior" in machine.json);
  t.true(
    Math.abs(Date.parse(machine.json.lastSeen) - (Date.now() + 301_000)) < 5_000,
    "seen from onboarding",
  );
  const collected = await send(em, "POST", `/api/machines/${lab.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "IR-42" },
  });
  t.is(collected.status, 201);
  t.throws(() => em.onboardDevice({ computerDnsName: "lab-vm-0042.contoso.com", osPlatform: "Linux" }), {
    message: /already exists/,
  });
});

test("admin POST /_emulator/fleet adds a device with afterSeconds", async (t) => {
  const { em, token } = await setup(t);
  const answer = await send(em, "POST", "/_emulator/fleet", {
    json: { device: { computerDnsName: "lab-vm-0043.contoso.com", osPlatform: "Linux" }, afterSeconds: 600 },
  });
  t.is(answer.status, 201);
  const id = answer.json.id as string;
  t.is((await send(em, "GET", `/api/machines/${id}`, { token })).status, 404);
  em.advanceTime(600);
  t.is((await send(em, "GET", `/api/machines/${id}`, { token })).status, 200);
  t.is(
    (await send(em, "POST", "/_emulator/fleet", { json: { device: { osPlatform: "Linux" } } })).status,
    400,
  );
});

test("a fleet device with behavior.onboardAfterSeconds onboards that long after start", async (t) => {
  const local = await startEmulator({
    fleet: [
      { computerDnsName: "now.lab.test", osPlatform: "Windows11" },
      { computerDnsName: "later.lab.test", osPlatform: "Windows11", behavior: { onboardAfterSeconds: 120 } },
    ] as never,
  });
  t.teardown(() => local.close());
  const localToken = await tokenFor(local);
  const names = async () =>
    (
      (await send(local, "GET", "/api/machines", { token: localToken })).json.value as {
        computerDnsName: string;
      }[]
    ).map((m) => m.computerDnsName);
  t.deepEqual(await names(), ["now.lab.test"]);
  local.advanceTime(120);
  t.deepEqual(await names(), ["now.lab.test", "later.lab.test"]);
});
