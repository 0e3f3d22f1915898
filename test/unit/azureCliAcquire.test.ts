/**
 * Running `az account get-access-token`: the arguments, the failures (missing, not signed in, timeout), and
 * the Azure CLI credential behind the shared token provider (one run for concurrent callers, renewal, no
 * retry of a failing CLI), with small scripts and the stand-in `az` against the emulator.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { type Emulator, startEmulator } from "pulumi-mde-emulator";
import { azureCliArgs, createAzureCliAcquire } from "../../src/auth/azureCliAcquire";
import { getTokenProvider, type TokenProvider } from "../../src/auth/tokenProvider";
import { tokenSourceFor } from "../../src/client/clientParts";
import { DefenderError } from "../../src/core/errors";
import { jwtClaims } from "../../src/core/jwtClaims";
import { resolveSettings } from "../../src/settings/resolveSettings";
import { installStandInAz, type StandInAz } from "../helpers/standInAz";

const RESOURCE = "https://api.securitycenter.microsoft.com";
const TENANT = "11111111-2222-3333-4444-555555555555";
const tmp = mkdtempSync(path.join(tmpdir(), "mde-az-unit-"));

/** An executable Node script in the temp folder. */
function script(name: string, body: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, `#!/usr/bin/env node\n"use strict";\n${body}\n`, { mode: 0o755 });
  return file;
}

const emulators: Emulator[] = [];
const standIns: StandInAz[] = [];
test.after.always(async () => {
  for (const s of standIns) s.dispose();
  await Promise.all(emulators.map((e) => e.close()));
});

/** The Azure CLI credential's token provider for `em`, running `command`, not shared with other tests. */
function cliProvider(em: Emulator, command: string, timeScale = 1): TokenProvider {
  const settings = resolveSettings(
    {
      "mde:useAzureCli": "true",
      "mde:tenantId": em.defaultApp.tenantId,
      "mde:apiEndpoint": em.url,
      "mde:authorityHost": em.authorityHost,
      "mde:caCertPath": em.caFile,
      "mde:timeScale": String(timeScale),
    },
    {},
  );
  return getTokenProvider({ ...tokenSourceFor(settings), cacheKey: randomUUID() }, { azureCli: { command } });
}

test("arguments: resource, tenant when known, JSON output; never a shell string", (t) => {
  t.deepEqual(azureCliArgs({ resource: RESOURCE, tenantId: TENANT }), [
    "account",
    "get-access-token",
    "--resource",
    RESOURCE,
    "--tenant",
    TENANT,
    "--output",
    "json",
  ]);
  t.deepEqual(azureCliArgs({ resource: RESOURCE }), [
    "account",
    "get-access-token",
    "--resource",
    RESOURCE,
    "--output",
    "json",
  ]);
});

test("the CLI gets exactly those arguments, and its JSON becomes the token", async (t) => {
  const argsFile = path.join(tmp, "args.json");
  const command = script(
    "az-echo",
    `require("node:fs").writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));
     process.stdout.write(JSON.stringify({ accessToken: "opaque-echo-token", expires_on: 1900000000, tokenType: "Bearer" }));`,
  );
  const acquired = await createAzureCliAcquire({
    resource: RESOURCE,
    tenantId: "contoso.onmicrosoft.com",
    command,
  })();
  t.deepEqual(acquired, { token: "opaque-echo-token", expiresOnMs: 1_900_000_000_000 });
  t.deepEqual(JSON.parse(readFileSync(argsFile, "utf8")), [
    "account",
    "get-access-token",
    "--resource",
    RESOURCE,
    "--tenant",
    "contoso.onmicrosoft.com",
    "--output",
    "json",
  ]);
});

test("az missing: MDE_AUTH_FAILED telling to install the Azure CLI", async (t) => {
  const acquire = createAzureCliAcquire({
    resource: RESOURCE,
    tenantId: TENANT,
    command: path.join(tmp, "no-az"),
  });
  const e = (await t.throwsAsync(acquire(), { instanceOf: DefenderError })) as DefenderError;
  t.is(e.code, "MDE_AUTH_FAILED");
  t.is(e.details?.reason, "notFound");
  t.regex(e.message, /install the Azure CLI/i);
  t.regex(e.message, new RegExp(`az login --tenant ${TENANT}`));
});

test("not signed in: MDE_AUTH_FAILED telling to run az login --tenant", async (t) => {
  const command = script(
    "az-signed-out",
    `process.stderr.write("ERROR: Please run 'az login' to setup account.\\n"); process.exit(1);`,
  );
  const e = (await t.throwsAsync(createAzureCliAcquire({ resource: RESOURCE, tenantId: TENANT, command })(), {
    instanceOf: DefenderError,
  })) as DefenderError;
  t.is(e.details?.reason, "notSignedIn");
  t.regex(e.message, new RegExp(`run \`az login --tenant ${TENANT}\``, "i"));
});

test("a CLI that does not answer is stopped after the timeout", async (t) => {
  const command = script("az-hangs", "setTimeout(() => {}, 60_000);");
  const started = Date.now();
  const e = (await t.throwsAsync(createAzureCliAcquire({ resource: RESOURCE, command, timeoutMs: 300 })(), {
    instanceOf: DefenderError,
  })) as DefenderError;
  t.is(e.details?.reason, "timeout");
  t.true(Date.now() - started < 10_000, "stopped, not waited for");
});

/** Whether `pid` is a running process (a zombie waiting to be reaped counts as ended). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

test("an az that ignores SIGTERM, and the sleep it started, are killed within timeout + grace", async (t) => {
  const pidsFile = path.join(tmp, "stubborn-pids.json");
  const command = script(
    "az-stubborn",
    `process.on("SIGTERM", () => {});
     const sleeper = require("node:child_process").spawn("sleep", ["60"], { stdio: "ignore" });
     require("node:fs").writeFileSync(${JSON.stringify(pidsFile)}, JSON.stringify([process.pid, sleeper.pid]));
     setInterval(() => {}, 1000);`,
  );
  const timeoutMs = 400;
  const killGraceInMs = 400;
  const started = Date.now();
  const outcome = await Promise.race([
    createAzureCliAcquire({ resource: RESOURCE, command, timeoutMs, killGraceInMs })().then(
      () => "answered",
      (e: unknown) => e,
    ),
    new Promise((r) => setTimeout(() => r("still running after 8 s"), 8_000)),
  ]);
  const elapsed = Date.now() - started;
  const pids = JSON.parse(readFileSync(pidsFile, "utf8")) as number[];
  t.teardown(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
  });
  t.true(outcome instanceof DefenderError, `the acquire failed: ${String(outcome)}`);
  t.is((outcome as DefenderError).details?.reason, "timeout");
  // The kernel ends SIGKILLed processes at once; the slack covers a loaded machine.
  t.true(elapsed < timeoutMs + killGraceInMs + 1_500, `ended after ${elapsed} ms`);
  await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(
    pids.filter((pid) => alive(pid)),
    [],
    "neither the CLI nor its sleep outlives the timeout",
  );
});

test("stand-in az against the emulator: a delegated user token, one run for five concurrent callers", async (t) => {
  const em = await startEmulator();
  emulators.push(em);
  const az = installStandInAz(em);
  standIns.push(az);
  const provider = cliProvider(em, az.command);
  t.is(provider.kind, "azureCli");
  t.true(provider.canRefresh);
  const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => provider.getToken()));
  t.is(new Set(tokens).size, 1);
  t.is(az.invocations().length, 1, "single flight");
  const claims = jwtClaims(tokens[0]!) ?? {};
  t.is(claims.upn, em.defaultUser.upn);
  t.is(typeof claims.scp, "string");
  t.is(claims.roles, undefined);
  t.deepEqual(az.invocations()[0], azureCliArgs({ resource: RESOURCE, tenantId: em.defaultApp.tenantId }));
  t.is(await provider.getToken(), tokens[0]!, "reused while fresh");
  t.is(az.invocations().length, 1);
});

test("stand-in az: a short-lived token is renewed by running the CLI again", async (t) => {
  const em = await startEmulator({ tokenLifetimeSeconds: 2 });
  emulators.push(em);
  const az = installStandInAz(em);
  standIns.push(az);
  const provider = cliProvider(em, az.command);
  const first = await provider.getToken();
  await new Promise((r) => setTimeout(r, 1200));
  const second = await provider.getToken();
  t.not(second, first);
  t.is(az.invocations().length, 2);
});

test("a failing CLI is not retried: one run, the error at once", async (t) => {
  const em = await startEmulator();
  emulators.push(em);
  const az = installStandInAz(em, { signedIn: false });
  standIns.push(az);
  const provider = cliProvider(em, az.command);
  const e = (await t.throwsAsync(provider.getToken(), { instanceOf: DefenderError })) as DefenderError;
  t.is(e.code, "MDE_AUTH_FAILED");
  t.regex(e.message, new RegExp(`az login --tenant ${em.defaultApp.tenantId}`));
  t.is(az.invocations().length, 1, "no retry of a failing CLI");
  // Once the user signs in, the next call runs the CLI again and succeeds.
  az.configure({ signedIn: true });
  t.is(typeof (await provider.getToken()), "string");
  t.is(az.invocations().length, 2);
});
