/**
 * Real MSAL token requests against the emulator's Entra ID endpoint, over HTTPS with its private CA.
 */
import { execFile } from "node:child_process";
import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { type Emulator, generateCertificate, startEmulator } from "pulumi-mde-emulator";
import { tokenProviderFor } from "../../src/client/clientParts";
import { getDefenderClient } from "../../src/client/sharedClients";
import { DefenderError } from "../../src/core/errors";
import { emulatorSettings } from "./helpers/emulatorSettings";

const emulators: Emulator[] = [];
async function emulator(): Promise<Emulator> {
  const e = await startEmulator();
  emulators.push(e);
  return e;
}
test.after.always(async () => {
  await Promise.all(emulators.map((e) => e.close()));
});

const tmp = mkdtempSync(join(tmpdir(), "mde-token-test-"));

function signJwt(privateKeyPem: string, claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })).toString("base64url");
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createSign("RSA-SHA256")
    .update(`${header}.${payload}`)
    .sign(privateKeyPem)
    .toString("base64url");
  return `${header}.${payload}.${signature}`;
}

test("client secret: five concurrent callers share one token request; the token is then reused", async (t) => {
  const emu = await emulator();
  const provider = tokenProviderFor(emulatorSettings(emu));
  const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => provider.getToken()));
  t.is(new Set(tokens).size, 1);
  t.is(emu.calls({ route: "token" }).length, 1);
  t.is(await provider.getToken(), tokens[0]!);
  t.is(emu.calls({ route: "token" }).length, 1);
  // No discovery requests: the token POST is the only call MSAL made.
  t.deepEqual(
    emu.calls().map((c) => c.route),
    ["token"],
  );
  provider.invalidate();
  const fresh = await provider.getToken();
  t.is(emu.calls({ route: "token" }).length, 2);
  t.is(typeof fresh, "string");
});

test("a 401 on a stale token does not throw away the token renewed since", async (t) => {
  const emu = await emulator();
  const provider = tokenProviderFor(emulatorSettings(emu));
  const stale = await provider.getToken();
  provider.invalidate(stale); // the first call refused with it renews
  const renewed = await provider.getToken();
  t.not(renewed, stale);
  t.is(emu.calls({ route: "token" }).length, 2);
  // More calls that were refused with the same stale token arrive late: nothing more to renew.
  provider.invalidate(stale);
  provider.invalidate(stale);
  t.is(await provider.getToken(), renewed);
  t.is(emu.calls({ route: "token" }).length, 2, "no token request for a token already replaced");
});

test("a short-lived token is renewed before it expires", async (t) => {
  const emu = await startEmulator({ tokenLifetimeSeconds: 2 });
  emulators.push(emu);
  const provider = tokenProviderFor(emulatorSettings(emu));
  await provider.getToken();
  await provider.getToken();
  t.is(emu.calls({ route: "token" }).length, 1);
  await new Promise((r) => setTimeout(r, 1100));
  await provider.getToken();
  t.is(emu.calls({ route: "token" }).length, 2);
});

test("client certificate: PS256 assertion with the SHA-256 thumbprint", async (t) => {
  const emu = await emulator();
  const cert = generateCertificate({ commonName: "mde-test" });
  const app = emu.addApp({ certificatePem: cert.certPem });
  const path = join(tmp, `${randomUUID()}.pem`);
  writeFileSync(path, cert.certPem + cert.keyPem);
  const settings = emulatorSettings(
    emu,
    { "mde:clientSecret": undefined, "mde:clientCertificatePath": path },
    app,
  );
  t.is(settings.credential.kind, "clientCertificate");
  const client = getDefenderClient(settings);
  const machine = await client.getMachine(emu.fleet[0]!.id);
  t.is(machine?.id, emu.fleet[0]!.id);
  t.is(emu.calls({ route: "token", clientId: app.clientId })[0]?.status, 200);
});

test("certificate not registered: MDE_AUTH_FAILED with the AADSTS code and a fix", async (t) => {
  const emu = await emulator();
  const registered = generateCertificate();
  const other = generateCertificate();
  const app = emu.addApp({ certificatePem: registered.certPem });
  const path = join(tmp, `${randomUUID()}.pem`);
  writeFileSync(path, other.certPem + other.keyPem);
  const provider = tokenProviderFor(
    emulatorSettings(emu, { "mde:clientSecret": undefined, "mde:clientCertificatePath": path }, app),
  );
  const error = await t.throwsAsync(provider.getToken(), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_AUTH_FAILED");
  t.regex(error?.message ?? "", /AADSTS\d+/);
  t.false((error?.message ?? "").includes("PRIVATE KEY"));
});

test("federated token file: read on every token request", async (t) => {
  const emu = await emulator();
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const issuer = "https://token.actions.githubusercontent.com";
  const subject = "repo:contoso/ir:ref:refs/heads/main";
  const app = emu.addApp({
    federated: { issuer, subject, jwksPem: publicKey.export({ format: "pem", type: "spki" }).toString() },
  });
  const now = Math.floor(Date.now() / 1000);
  const assertion = (sub: string) =>
    signJwt(keyPem, {
      iss: issuer,
      sub,
      aud: "api://AzureADTokenExchange",
      iat: now,
      nbf: now - 5,
      exp: now + 600,
    });
  const file = join(tmp, `${randomUUID()}.jwt`);
  writeFileSync(file, `${assertion(subject)}\n`);
  const provider = tokenProviderFor(
    emulatorSettings(emu, { "mde:clientSecret": undefined, "mde:federatedTokenFile": file }, app),
  );
  t.is(typeof (await provider.getToken()), "string");
  // Rotate the file to an assertion the app does not trust: the next request must read it again and fail.
  const wrong = assertion("repo:someone/else:ref:refs/heads/main");
  writeFileSync(file, wrong);
  provider.invalidate();
  const error = await t.throwsAsync(provider.getToken(), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_AUTH_FAILED");
  t.regex(error?.message ?? "", /AADSTS7002\d\d|AADSTS70021/);
  t.false((error?.message ?? "").includes(wrong));
  t.is(emu.calls({ route: "token" }).length, 2);
});

test("static token: used as is, no token request", async (t) => {
  const emu = await emulator();
  const token = await tokenProviderFor(emulatorSettings(emu)).getToken();
  emu.resetRecord();
  const settings = emulatorSettings(emu, {
    "mde:tenantId": undefined,
    "mde:clientId": undefined,
    "mde:clientSecret": undefined,
    "mde:accessToken": token,
  });
  t.is(settings.credential.kind, "accessToken");
  t.is(settings.clientId, emu.defaultApp.clientId);
  const machine = await getDefenderClient(settings).getMachine(emu.fleet[1]!.id);
  t.is(machine?.id, emu.fleet[1]!.id);
  t.is(emu.calls({ route: "token" }).length, 0);
});

test("static token: an expired JWT is refused before any request, with a fix", async (t) => {
  const payload = Buffer.from(JSON.stringify({ exp: 1_000_000, tid: "t", appid: "a" })).toString("base64url");
  const emu = await emulator();
  const settings = emulatorSettings(emu, {
    "mde:clientSecret": undefined,
    "mde:accessToken": `eyJhbGciOiJSUzI1NiJ9.${payload}.c2ln`,
  });
  const error = await t.throwsAsync(tokenProviderFor(settings).getToken(), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_AUTH_FAILED");
  t.regex(error?.message ?? "", /expired/);
  t.regex(error?.message ?? "", /az account get-access-token/);
});

test("wrong client secret: MDE_AUTH_FAILED naming AADSTS7000215 and the key to fix, never the secret", async (t) => {
  const emu = await emulator();
  const wrongSecret = "Wrong~Secret.Value-123456";
  const settings = emulatorSettings(emu, { "mde:clientSecret": wrongSecret });
  const error = await t.throwsAsync(getDefenderClient(settings).getMachine(emu.fleet[0]!.id), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_AUTH_FAILED");
  t.is(error?.apiCode, "AADSTS7000215");
  t.regex(error?.message ?? "", /mde:clientSecret/);
  t.false((error?.message ?? "").includes(wrongSecret));
  t.false(JSON.stringify(error).includes(wrongSecret));
});

test("unknown tenant: MDE_AUTH_FAILED with a hint about mde:tenantId", async (t) => {
  const emu = await emulator();
  const settings = emulatorSettings(emu, { "mde:tenantId": randomUUID() });
  const error = await t.throwsAsync(tokenProviderFor(settings).getToken(), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_AUTH_FAILED");
  t.regex(error?.message ?? "", /mde:tenantId/);
});

test("token endpoint throttling is absorbed by MSAL or reported as MDE_AUTH_FAILED, never a raw error", async (t) => {
  const emu = await emulator();
  emu.injectFault({ route: "token", kind: "status", status: 500 });
  const provider = tokenProviderFor(emulatorSettings(emu));
  try {
    t.is(typeof (await provider.getToken()), "string");
  } catch (error) {
    t.true(error instanceof DefenderError);
  }
});

test("managed identity (App Service source) in a child process", async (t) => {
  // MSAL remembers the managed identity source in a static field: a fresh process per source.
  const emu = await emulator();
  const child = join(__dirname, "helpers", "managedIdentityChild.js");
  const env = { ...process.env, ...emu.managedIdentityEnv() };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        [child, emu.url, emu.caFile, emu.fleet[0]!.id],
        { env, timeout: 60_000 },
        (error, out, err) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: String(out), stderr: String(err) }),
      );
    },
  );
  t.is(code, 0, stderr);
  t.is(stdout.trim(), emu.fleet[0]!.id);
  t.is(emu.calls({ route: "managedIdentity" }).length, 1);
});
