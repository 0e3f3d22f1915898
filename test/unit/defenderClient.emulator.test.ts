/**
 * The Defender client against the emulator over HTTPS: the collect POST policy, retries, conflicts and
 * typed errors. Each test has its own emulator (fault rules are per emulator).
 */
import test from "ava";
import { type Emulator, type EmulatorOptions, startEmulator } from "pulumi-mde-emulator";
import { httpClientFor, tokenProviderFor } from "../../src/client/clientParts";
import { DefenderClient, type DefenderClientOptions } from "../../src/client/defenderClient";
import { odataString } from "../../src/client/odata";
import { DefenderError } from "../../src/core/errors";
import { redact } from "../../src/core/redact";
import { resolveSettings } from "../../src/settings/resolveSettings";
import { emulatorSettings } from "./helpers/emulatorSettings";

/** Emulated seconds per real second: short rate windows and lifecycles. Backoff is scaled alike. */
const SCALE = 60;
const emulators: Emulator[] = [];
test.after.always(async () => {
  await Promise.all(emulators.map((e) => e.close()));
});

async function setup(options: EmulatorOptions = {}, clientOptions: DefenderClientOptions = {}) {
  const emu = await startEmulator({ timeScale: SCALE, ...options });
  emulators.push(emu);
  const settings = emulatorSettings(emu, {}, emu.defaultApp, SCALE);
  const client = new DefenderClient(settings, clientOptions);
  const device = (name: string) => {
    const found = emu.fleet.find((d) => d.computerDnsName.startsWith(name));
    if (!found) throw new Error(`no device ${name}`);
    return found.id;
  };
  return { emu, settings, client, device };
}

async function actionsOn(client: DefenderClient, machineId: string) {
  return client.listMachineActions(
    `machineId eq ${odataString(machineId)} and type eq 'CollectInvestigationPackage'`,
  );
}

test("collect starts one Pending action that can be read back", async (t) => {
  const { client, device } = await setup();
  const id = device("fin-lt-0001");
  const result = await client.collectInvestigationPackage(id, "IR-1: first");
  t.false(result.adopted);
  t.is(result.action.status, "Pending");
  t.is(result.action.machineId, id);
  t.is(result.action.requestorComment, "IR-1: first");
  const read = await client.getMachineAction(result.action.id);
  t.is(read?.id, result.action.id);
  t.true("lastUpdateDateTimeUtc" in (read ?? {}));
  t.is((await actionsOn(client, id)).length, 1);
});

test("commit-then-drop on the POST: exactly one action, and the client returns it", async (t) => {
  const { emu, client, device } = await setup();
  const id = device("hr-lt-0002");
  emu.injectFault({ route: "collect", kind: "commitThenDrop" });
  const result = await client.collectInvestigationPackage(id, "IR-2: dropped response");
  t.true(result.recovered);
  t.false(result.adopted);
  t.is(result.action.requestorComment, "IR-2: dropped response");
  const actions = await actionsOn(client, id);
  t.is(actions.length, 1);
  t.is(actions[0]?.id, result.action.id);
  t.is(emu.calls({ route: "collect" }).length, 1);
});

test("reset before handling: nothing was created, so the client posts again once", async (t) => {
  const { emu, client, device } = await setup();
  const id = device("dev-ws-0003");
  emu.injectFault({ route: "collect", kind: "reset" });
  const result = await client.collectInvestigationPackage(id, "IR-3: reset");
  t.falsy(result.recovered);
  t.is((await actionsOn(client, id)).length, 1);
  t.is(emu.calls({ route: "collect" }).length, 2);
  t.true(emu.calls({ route: "listActions" }).length >= 1);
});

test("500 on the POST: verified, then posted again; one action", async (t) => {
  const { emu, client, device } = await setup();
  const id = device("exec-lt-0004");
  emu.injectFault({ route: "collect", kind: "status", status: 500 });
  await client.collectInvestigationPackage(id, "IR-4: server error");
  t.is((await actionsOn(client, id)).length, 1);
  t.is(emu.calls({ route: "collect" }).length, 2);
});

test("429 on the POST: the family waits the exact Retry-After, then succeeds", async (t) => {
  const { emu, client, device } = await setup();
  const id = device("dc01");
  emu.injectFault({ route: "collect", kind: "status", status: 429, retryAfterSeconds: 1 });
  const started = Date.now();
  const result = await client.collectInvestigationPackage(id, "IR-5: throttled");
  t.true(Date.now() - started >= 990);
  t.is(result.action.status, "Pending");
  const calls = emu.calls({ route: "collect" });
  t.deepEqual(
    calls.map((c) => c.status),
    [429, 201],
  );
  t.true((calls[1]?.startMs ?? 0) - (calls[0]?.endMs ?? 0) >= 990);
  t.is(emu.calls({ route: "listActions" }).length, 0);
});

test("503 on the POST is a refusal: retried without a look-up", async (t) => {
  const { emu, client, device } = await setup();
  const id = device("dc02");
  emu.injectFault({ route: "collect", kind: "status", status: 503 });
  await client.collectInvestigationPackage(id, "IR-6: unavailable");
  t.is(emu.calls({ route: "listActions" }).length, 0);
  t.is((await actionsOn(client, id)).length, 1);
});

test("a slow answer past the headers timeout: verified and posted again, never duplicated", async (t) => {
  const { emu, settings, device } = await setup();
  const client = new DefenderClient(settings, {
    httpClient: httpClientFor(settings, { headersTimeoutMs: 300 }),
  });
  const id = device("sql01");
  // undici's timeouts tick about once a second: the 300 ms timeout fires after ~1 s, before the 2.5 s answer.
  emu.injectFault({ route: "collect", kind: "latency", ms: 2500 });
  const result = await client.collectInvestigationPackage(id, "IR-7: slow");
  t.is(result.action.requestorComment, "IR-7: slow");
  // Whichever POST the emulator handled first created the action; the other met the conflict.
  await new Promise((r) => setTimeout(r, 2500));
  t.is((await actionsOn(client, id)).length, 1);
  t.is(emu.calls({ route: "collect" }).length, 2);
});

test("429 on reads (foreign traffic used the quota) is absorbed", async (t) => {
  const { emu, client, device } = await setup();
  const id = device("web01");
  const { action } = await client.collectInvestigationPackage(id, "IR-8");
  emu.consumeQuota({ ...emu.defaultApp, route: "getAction", count: 100 });
  const read = await client.getMachineAction(action.id);
  t.is(read?.id, action.id);
  t.deepEqual(
    emu.calls({ route: "getAction" }).map((c) => c.status),
    [429, 200],
  );
});

test("ActiveRequestAlreadyExists: typed error carrying the running action; adoptRunning adopts it", async (t) => {
  const { client, device } = await setup();
  const id = device("app02");
  const first = await client.collectInvestigationPackage(id, "IR-9: first");
  const error = await t.throwsAsync(client.collectInvestigationPackage(id, "IR-9: second"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_ACTIVE_REQUEST_EXISTS");
  t.is(error?.status, 400);
  t.is(error?.apiCode, "ActiveRequestAlreadyExists");
  t.is(error?.action?.id, first.action.id);
  t.regex(error?.message ?? "", new RegExp(first.action.id));
  const adopted = await client.collectInvestigationPackage(id, "IR-9: third", { adoptRunning: true });
  t.true(adopted.adopted);
  t.is(adopted.action.id, first.action.id);
});

test("201 with the existing action is reported like the 400 conflict", async (t) => {
  const { client, device } = await setup({ duplicateCollection: "returnExisting" });
  const id = device("lnx-web-01");
  const first = await client.collectInvestigationPackage(id, "IR-10: first");
  const error = await t.throwsAsync(client.collectInvestigationPackage(id, "IR-10: second"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_ACTIVE_REQUEST_EXISTS");
  t.is(error?.action?.id, first.action.id);
  const adopted = await client.collectInvestigationPackage(id, "IR-10: third", { adoptRunning: true });
  t.true(adopted.adopted);
});

test("401 once: the token is renewed and the call repeated", async (t) => {
  const { emu, client, device } = await setup();
  await client.getMachine(device("lnx-db-01"));
  emu.injectFault({ route: "getMachine", kind: "status", status: 401 });
  const machine = await client.getMachine(device("lnx-db-01"));
  t.truthy(machine);
  t.is(emu.calls({ route: "token" }).length, 2);
});

test("401 with a bad static token: MDE_UNAUTHORIZED naming the fix, without the token", async (t) => {
  const { emu, device } = await setup();
  const token = "not-a-valid-token-0123456789";
  const settings = resolveSettings(
    { "mde:accessToken": token, "mde:apiEndpoint": emu.url, "mde:caCertPath": emu.caFile },
    {},
  );
  const error = await t.throwsAsync(new DefenderClient(settings).getMachine(device("lnx-ci-01")), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_UNAUTHORIZED");
  t.is(error?.status, 401);
  t.regex(error?.message ?? "", /mde:tenantId/);
  t.regex(error?.message ?? "", /static token/);
  t.false((error?.message ?? "").includes(token));
});

test("403: names Machine.CollectForensics and admin consent, never the secret", async (t) => {
  const { emu, device } = await setup();
  const secret = "Reader~Only.Secret-0001";
  const app = emu.addApp({ clientSecret: secret, roles: ["Machine.Read.All"] });
  const client = new DefenderClient(emulatorSettings(emu, {}, app, SCALE));
  const error = await t.throwsAsync(client.collectInvestigationPackage(device("design-mbp-01"), "IR-13"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_FORBIDDEN");
  t.is(error?.status, 403);
  t.regex(error?.message ?? "", /Machine\.CollectForensics/);
  t.regex(error?.message ?? "", /admin consent/);
  t.false((error?.message ?? "").includes(secret));
  t.truthy(error?.correlationId);
});

test("404: unknown device is named; unknown action and machine read as null", async (t) => {
  const { client } = await setup();
  const unknown = "0".repeat(40);
  const error = await t.throwsAsync(client.collectInvestigationPackage(unknown, "IR-14"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_NOT_FOUND");
  t.regex(error?.message ?? "", new RegExp(`Device '${unknown}'`));
  t.is(await client.getMachineAction("11111111-1111-1111-1111-111111111111"), null);
  t.is(await client.getMachine("no-such-host.contoso.com"), null);
  // OData string values are escaped: a quote does not break the filter.
  t.deepEqual(await client.listMachineActions(`machineId eq ${odataString("o'neil")}`), []);
});

test("invalid device id is refused before any request", async (t) => {
  const { emu, client } = await setup();
  const error = await t.throwsAsync(client.collectInvestigationPackage("../machines", "x"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_BAD_REQUEST");
  t.regex(error?.message ?? "", /32 to 40 hexadecimal/);
  t.is(emu.calls({ route: "collect" }).length, 0);
});

test("a device that cannot collect: MDE_OS_NOT_SUPPORTED", async (t) => {
  const { client, device } = await setup();
  const error = await t.throwsAsync(client.collectInvestigationPackage(device("legacy-pc-0018"), "IR-15"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_OS_NOT_SUPPORTED");
});

test("cancel a running action; cancelling a final one reports alreadyFinal", async (t) => {
  const { client, device } = await setup();
  const { action } = await client.collectInvestigationPackage(device("exec-mbp-02"), "IR-16");
  const cancelled = await client.cancelMachineAction(action.id, "stop");
  t.false(cancelled.alreadyFinal);
  t.is(cancelled.action.status, "Cancelled");
  const again = await client.cancelMachineAction(action.id, "stop again");
  t.true(again.alreadyFinal);
  t.is(again.action.status, "Cancelled");
  await t.throwsAsync(client.cancelMachineAction("22222222-2222-2222-2222-222222222222", "x"), {
    instanceOf: DefenderError,
    any: true,
  });
});

test("package link: null until Succeeded, then an https link registered for redaction", async (t) => {
  const { emu, client, device } = await setup();
  const { action } = await client.collectInvestigationPackage(device("fin-lt-0001"), "IR-17");
  t.is(await client.getPackageUri(action.id), null);
  emu.advanceTime(3600);
  const done = await client.getMachineAction(action.id);
  t.is(done?.status, "Succeeded");
  const uri = await client.getPackageUri(action.id);
  t.true(uri?.startsWith("https://"));
  t.false(redact(`link ${uri}`).includes(uri ?? "?"));
});

test("package link quoted like Microsoft's example is unquoted", async (t) => {
  const { emu, client, device } = await setup({ quotePackageUri: true });
  const { action } = await client.collectInvestigationPackage(device("hr-lt-0002"), "IR-18");
  emu.advanceTime(3600);
  const uri = await client.getPackageUri(action.id);
  t.false(uri?.includes('"'));
});

test("untrusted server certificate: MDE_TLS_FAILURE pointing at mde:caCertPath", async (t) => {
  const { emu, device } = await setup();
  const settings = emulatorSettings(emu, { "mde:caCertPath": undefined }, emu.defaultApp, SCALE);
  const error = await t.throwsAsync(new DefenderClient(settings).getMachine(device("dc01")), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_TLS_FAILURE");
  t.is(error?.delivery, "notDelivered");
  t.regex(error?.message ?? "", /mde:caCertPath/);
});

test("connection refused: retried, then MDE_CONNECTION_REFUSED (not delivered)", async (t) => {
  const settings = resolveSettings(
    {
      "mde:accessToken": "static-token-abcdef",
      "mde:apiEndpoint": "http://127.0.0.1:9",
      "mde:timeScale": "1000",
    },
    {},
  );
  const error = await t.throwsAsync(new DefenderClient(settings).getMachine("a".repeat(40)), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_CONNECTION_REFUSED");
  t.is(error?.delivery, "notDelivered");
});

test("many concurrent collections share the collect family: one in flight, all succeed", async (t) => {
  const { emu, client } = await setup();
  const targets = emu.fleet
    .filter((d) => d.healthStatus === "Active" && /Windows1|Linux|macOS/.test(d.osPlatform) && !d.behavior)
    .slice(0, 8);
  const results = await Promise.all(
    targets.map((d) => client.collectInvestigationPackage(d.id, "IR-19: batch")),
  );
  t.is(new Set(results.map((r) => r.action.id)).size, targets.length);
  t.true(emu.calls({ route: "collect" }).every((c) => c.concurrent === 1));
  t.is(tokenProviderFor(client.settings).canRefresh, true);
});

test("a token failure before the POST is reported as such, with nothing sent", async (t) => {
  const { emu, device } = await setup();
  const client = new DefenderClient(
    emulatorSettings(emu, { "mde:clientSecret": "Wrong~Secret-000000" }, undefined, SCALE),
  );
  const error = await t.throwsAsync(client.collectInvestigationPackage(device("fin-lt-0001"), "IR-20"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_AUTH_FAILED");
  t.is(emu.calls({ route: "collect" }).length, 0);
});

test("401 on the POST: the token is renewed and the collection started once", async (t) => {
  const { emu, client, device } = await setup();
  const id = device("hr-lt-0002");
  emu.injectFault({ route: "collect", kind: "status", status: 401 });
  await client.collectInvestigationPackage(id, "IR-21");
  t.deepEqual(
    emu.calls({ route: "collect" }).map((c) => c.status),
    [401, 201],
  );
  t.is(emu.calls({ route: "token" }).length, 2);
  t.is((await actionsOn(client, id)).length, 1);
});
