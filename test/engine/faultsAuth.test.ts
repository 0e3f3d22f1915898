/**
 * Credentials and permissions that do not work: one clear error per cause, naming the setting or
 * permission to fix; no collection started, nothing in state, no secret in any message.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { callsOf, createTestStack, emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, backendText, emulatorSecrets, failureOf, serviceCalls } from "../helpers/faults";

/** A stack with one collection on a healthy device, with `config` as the whole stack config. */
async function oneCollection(em: Emulator, config: ConfigMap) {
  const [machineId] = healthyIds(em, 1);
  return createTestStack({
    config,
    program: async () => {
      new InvestigationPackageCollection("ws-042", { machineId: machineId!, comment: "IR-4711: auth check" });
    },
  });
}

/** The emulator's config with a static token instead of the client secret. */
function staticTokenConfig(em: Emulator, token: string): ConfigMap {
  const config = emulatorConfig(em, { "mde:accessToken": { value: token, secret: true } });
  delete config["mde:clientSecret"];
  return config;
}

test("401 at the token endpoint (wrong client secret): names AADSTS7000215 and mde:clientSecret", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const wrongSecret = "wR0ng~s3cret-value-from-the-secret-id-column";
  const s = await oneCollection(
    em,
    emulatorConfig(em, { "mde:clientSecret": { value: wrongSecret, secret: true } }),
  );
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.up());
  t.regex(failure, /Obtaining an access token \(client secret\) failed with AADSTS7000215: /);
  t.regex(failure, /The client secret is wrong: check mde:clientSecret \/ AZURE_CLIENT_SECRET/);
  t.deepEqual((await s.exportState()).resources, [], "nothing in state");
  const calls = serviceCalls(em);
  t.true(
    calls.length >= 1 && calls.every((c) => c.route === "token" && c.status === 401),
    "only token calls",
  );
  t.is(callsOf(em, "collect").length, 0, "no collection attempted");
  assertNoSecrets(
    t,
    { error: failure, output: s.output(), state: backendText(s) },
    emulatorSecrets(em, { "wrong secret": [wrongSecret] }),
  );
});

test("401 from the API (a static token for another audience): names the token, scope and cloud to check", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const token = em.issueToken({ audience: "https://graph.microsoft.com" });
  const s = await oneCollection(em, staticTokenConfig(em, token));
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.up());
  // The first call is the look-up for an earlier attempt: refused, so nothing is posted at all.
  t.regex(
    failure,
    /The Defender API rejected the access token while listing machine actions \(401 Unauthorized\)/,
  );
  t.regex(failure, /issued for the Defender API scope of the configured mde:cloud.*\[MDE_UNAUTHORIZED\]/);
  t.deepEqual((await s.exportState()).resources, []);
  t.is(callsOf(em, "collect").length, 0, "nothing posted with a token the API refuses");
  const lists = callsOf(em, "listActions");
  t.is(lists.length, 1, "a static token cannot be renewed: one refused call, no retry");
  t.is(lists[0]?.status, 401);
  assertNoSecrets(
    t,
    { error: failure, output: s.output(), state: backendText(s) },
    emulatorSecrets(em, { "static token": [token] }),
  );
});

test("an expired static token is reported before any request, with how to get a new one", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const token = em.issueToken({ lifetimeSeconds: -60 });
  const s = await oneCollection(em, staticTokenConfig(em, token));
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.up());
  t.regex(failure, /The static access token \(mde:accessToken \/ MDE_ACCESS_TOKEN\) expired at /);
  t.regex(failure, /az account get-access-token --resource https:\/\/api\.securitycenter\.microsoft\.com/);
  t.deepEqual(serviceCalls(em), [], "no request with a token known to be expired");
  assertNoSecrets(
    t,
    { error: failure, output: s.output(), state: backendText(s) },
    emulatorSecrets(em, { "static token": [token] }),
  );
});

test("403 (app without Machine.CollectForensics): names the permission and admin consent", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const readOnly = em.addApp({
    tenantId: em.defaultApp.tenantId,
    clientSecret: "read-only-app~secret-0123456789abcdef",
    roles: ["Machine.Read.All"],
  });
  const s = await oneCollection(
    em,
    emulatorConfig(em, {
      "mde:clientId": { value: readOnly.clientId },
      "mde:clientSecret": { value: readOnly.clientSecret!, secret: true },
    }),
  );
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.up());
  t.regex(failure, /collecting an investigation package was forbidden \(403\)/);
  t.regex(failure, /needs the WindowsDefenderATP application permission `Machine\.CollectForensics`/);
  t.regex(failure, /Grant admin consent.*device-group \(RBAC\) scope.*\[MDE_FORBIDDEN\]/);
  t.deepEqual((await s.exportState()).resources, []);
  const posts = callsOf(em, "collect");
  t.is(posts.length, 1, "a refusal is not retried");
  t.is(posts[0]?.status, 403);
  assertNoSecrets(
    t,
    { error: failure, output: s.output(), state: backendText(s) },
    emulatorSecrets(em, { "read-only app secret": [readOnly.clientSecret!] }),
  );
});
