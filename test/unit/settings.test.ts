import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import test from "ava";
import { generateCertificate } from "pulumi-mde-emulator";
import { DefenderError } from "../../src/core/errors";
import { redact } from "../../src/core/redact";
import { CLOUDS } from "../../src/settings/clouds";
import { isLoopbackHost } from "../../src/settings/configValues";
import { credentialFingerprint, settingsFingerprint } from "../../src/settings/fingerprints";
import { resolveSettings } from "../../src/settings/resolveSettings";
import { makeTestTls } from "./helpers/tls";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET = "s3cr3t-Value~with.dots";
const secretConfig = { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:clientSecret": SECRET };
const tls = makeTestTls();

function configError(t: import("ava").ExecutionContext, fn: () => unknown): DefenderError {
  const error = t.throws(fn, { instanceOf: DefenderError }) as DefenderError;
  t.is(error.code, "MDE_CONFIG_INVALID");
  return error;
}

test("defaults: commercial cloud, documented limits, real time", (t) => {
  const s = resolveSettings(secretConfig, {});
  t.is(s.cloud, "commercial");
  t.is(s.apiEndpoint, "https://api.security.microsoft.com");
  t.is(s.authorityHost, "https://login.microsoftonline.com");
  t.is(s.scope, "https://api.securitycenter.microsoft.com/.default");
  t.is(s.rateLimitPerMinute, 100);
  t.is(s.rateLimitPerHour, 1500);
  t.is(s.timeScale, 1);
  t.is(s.credential.kind, "clientSecret");
  t.is(s.tenantId, TENANT);
  t.is(s.clientId, CLIENT);
});

test("every cloud maps to its API base, authority and scope", (t) => {
  for (const [cloud, expected] of Object.entries(CLOUDS)) {
    const s = resolveSettings({ ...secretConfig, "mde:cloud": cloud }, {});
    t.is(s.apiEndpoint, expected.apiEndpoint);
    t.is(s.authorityHost, expected.authorityHost);
    t.is(s.scope, expected.scope);
  }
  const gov = resolveSettings({ ...secretConfig, "mde:cloud": "gcc-high" }, {});
  t.is(gov.authorityHost, "https://login.microsoftonline.us");
  t.is(gov.scope, "https://api-gov.securitycenter.microsoft.us/.default");
  t.is(
    resolveSettings({ ...secretConfig, "mde:cloud": "eu" }, {}).apiEndpoint,
    "https://eu.api.security.microsoft.com",
  );
});

test("unknown cloud names the key, the choices and what was given", (t) => {
  const error = configError(t, () => resolveSettings({ ...secretConfig, "mde:cloud": "mars" }, {}));
  t.is(error.configKey, "mde:cloud");
  t.regex(error.message, /mde:cloud/);
  t.regex(error.message, /commercial, us, eu/);
  t.regex(error.message, /"mars"/);
  t.regex(error.message, /mde:apiEndpoint/);
});

test("environment fallbacks are used when config is absent", (t) => {
  const s = resolveSettings(
    {},
    {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: SECRET,
      MDE_API_ENDPOINT: "https://127.0.0.1:8443/api/",
      AZURE_AUTHORITY_HOST: "https://127.0.0.1:8443/",
    },
  );
  t.is(s.credential.kind, "clientSecret");
  t.is(s.apiEndpoint, "https://127.0.0.1:8443");
  t.is(s.authorityHost, "https://127.0.0.1:8443");
});

test("explicit config beats environment, per credential and per value", (t) => {
  const s = resolveSettings(
    { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:federatedTokenFile": tls.certPath },
    { AZURE_TENANT_ID: "other", AZURE_CLIENT_SECRET: "env-secret", MDE_ACCESS_TOKEN: "env-token-value" },
  );
  t.is(s.credential.kind, "federatedToken");
  t.is(s.tenantId, TENANT);
});

test("environment credential order: token, secret, certificate, federated", (t) => {
  const env = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };
  t.is(
    resolveSettings({}, { ...env, AZURE_CLIENT_SECRET: SECRET, AZURE_FEDERATED_TOKEN_FILE: tls.certPath })
      .credential.kind,
    "clientSecret",
  );
  t.is(
    resolveSettings({}, { ...env, MDE_ACCESS_TOKEN: "tok-abcdef", AZURE_CLIENT_SECRET: SECRET }).credential
      .kind,
    "accessToken",
  );
  t.is(
    resolveSettings({}, { ...env, AZURE_FEDERATED_TOKEN_FILE: tls.certPath }).credential.kind,
    "federatedToken",
  );
});

test("two explicit credential kinds are refused, naming both keys", (t) => {
  const error = configError(t, () =>
    resolveSettings({ ...secretConfig, "mde:accessToken": "a-static-token-value" }, {}),
  );
  t.regex(error.message, /mde:accessToken/);
  t.regex(error.message, /mde:clientSecret/);
  t.false(error.message.includes(SECRET));
  t.false(error.message.includes("a-static-token-value"));
  const mi = configError(t, () => resolveSettings({ ...secretConfig, "mde:useManagedIdentity": "true" }, {}));
  t.regex(mi.message, /mde:useManagedIdentity/);
});

test("no credential at all says every option", (t) => {
  const error = configError(t, () => resolveSettings({ "mde:tenantId": TENANT }, {}));
  t.regex(error.message, /mde:clientSecret/);
  t.regex(error.message, /mde:useManagedIdentity/);
  t.regex(error.message, /MDE_ACCESS_TOKEN/);
});

test("client credentials need tenant and client ids; a static token does not", (t) => {
  const noTenant = configError(t, () =>
    resolveSettings({ "mde:clientId": CLIENT, "mde:clientSecret": SECRET }, {}),
  );
  t.is(noTenant.configKey, "mde:tenantId");
  t.regex(noTenant.message, /AZURE_TENANT_ID/);
  t.false(noTenant.message.includes(SECRET));
  const noClient = configError(t, () =>
    resolveSettings({ "mde:tenantId": TENANT, "mde:clientSecret": SECRET }, {}),
  );
  t.is(noClient.configKey, "mde:clientId");
  const s = resolveSettings({ "mde:accessToken": "opaque-static-token" }, {});
  t.is(s.credential.kind, "accessToken");
});

test("managed identity: explicit only, user-assigned via clientId", (t) => {
  const system = resolveSettings({ "mde:useManagedIdentity": "true" }, {});
  t.deepEqual(system.credential, { kind: "managedIdentity" });
  const user = resolveSettings({ "mde:useManagedIdentity": "true", "mde:clientId": CLIENT }, {});
  t.deepEqual(user.credential, { kind: "managedIdentity", clientId: CLIENT });
  const off = configError(t, () => resolveSettings({ "mde:useManagedIdentity": "false" }, {}));
  t.regex(off.message, /No Defender credential/);
  const bad = configError(t, () => resolveSettings({ "mde:useManagedIdentity": "maybe" }, {}));
  t.is(bad.configKey, "mde:useManagedIdentity");
});

test("http endpoints are refused unless loopback", (t) => {
  const remote = configError(t, () =>
    resolveSettings({ ...secretConfig, "mde:apiEndpoint": "http://example.com" }, {}),
  );
  t.is(remote.configKey, "mde:apiEndpoint");
  t.regex(remote.message, /https/);
  for (const host of ["127.0.0.1:9000", "127.1.2.3", "localhost:80", "[::1]:8080"]) {
    const s = resolveSettings({ ...secretConfig, "mde:apiEndpoint": `http://${host}/` }, {});
    t.true(s.apiEndpoint.startsWith("http://"));
  }
  t.true(isLoopbackHost("127.0.0.1"));
  t.true(isLoopbackHost("[::1]"));
  t.false(isLoopbackHost("128.0.0.1"));
  t.false(isLoopbackHost("localhost.example.com"));
  // MSAL refuses http authorities, so even loopback is refused here, early and clearly.
  const authority = configError(t, () =>
    resolveSettings({ ...secretConfig, "mde:authorityHost": "http://127.0.0.1:1" }, {}),
  );
  t.is(authority.configKey, "mde:authorityHost");
});

test("malformed URLs and query strings are refused", (t) => {
  const bad = configError(t, () => resolveSettings({ ...secretConfig, "mde:apiEndpoint": "not a url" }, {}));
  t.regex(bad.message, /"not a url"/);
  const query = configError(t, () =>
    resolveSettings({ ...secretConfig, "mde:apiEndpoint": "https://x.example/?sig=abc" }, {}),
  );
  t.false(query.message.includes("sig=abc"));
  const env = configError(t, () => resolveSettings(secretConfig, { MDE_API_ENDPOINT: "ftp://x" }));
  t.is(env.configKey, "MDE_API_ENDPOINT");
});

test("the /api or /api/v1.0 suffix of an endpoint is dropped", (t) => {
  t.is(
    resolveSettings({ ...secretConfig, "mde:apiEndpoint": "https://h.example/api/v1.0" }, {}).apiEndpoint,
    "https://h.example",
  );
  t.is(
    resolveSettings({ ...secretConfig, "mde:apiEndpoint": "https://h.example/proxy/api" }, {}).apiEndpoint,
    "https://h.example/proxy",
  );
});

test("rate limits and time scale must be positive", (t) => {
  for (const [key, value] of [
    ["mde:rateLimitPerMinute", "0"],
    ["mde:rateLimitPerMinute", "-5"],
    ["mde:rateLimitPerHour", "1.5"],
    ["mde:rateLimitPerHour", "lots"],
    ["mde:timeScale", "0"],
    ["mde:timeScale", "fast"],
  ] as const) {
    const error = configError(t, () => resolveSettings({ ...secretConfig, [key]: value }, {}));
    t.is(error.configKey, key);
    t.regex(error.message, new RegExp(JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    t.regex(error.message, /positive/);
  }
  const emulator = { ...secretConfig, "mde:apiEndpoint": "https://127.0.0.1:8443" };
  const s = resolveSettings({ ...emulator, "mde:rateLimitPerMinute": "10", "mde:timeScale": "60" }, {});
  t.is(s.rateLimitPerMinute, 10);
  t.is(s.timeScale, 60);
  t.is(resolveSettings({ ...emulator, "mde:timeScale": "0.5" }, {}).timeScale, 0.5);
});

test("numbers are decimal, limits stay within Microsoft's against its hosts, timeScale only for an emulator", (t) => {
  const refused = (config: Record<string, string>, key: string, pattern: RegExp) => {
    const error = t.throws(() => resolveSettings({ ...secretConfig, ...config }, {}), {
      instanceOf: DefenderError,
    });
    t.is(error?.configKey, key);
    t.regex(error?.message ?? "", pattern);
  };
  refused({ "mde:rateLimitPerMinute": "0x10" }, "mde:rateLimitPerMinute", /decimal digits/);
  refused({ "mde:rateLimitPerMinute": "1e2" }, "mde:rateLimitPerMinute", /decimal digits/);
  refused(
    { "mde:rateLimitPerMinute": "101" },
    "mde:rateLimitPerMinute",
    /at most 100.*Microsoft documents 100/,
  );
  refused({ "mde:rateLimitPerHour": "5000" }, "mde:rateLimitPerHour", /at most 1500/);
  refused({ "mde:timeScale": "60" }, "mde:timeScale", /1 \(real time\) against Microsoft's API/);
  refused(
    { "mde:apiEndpoint": "https://127.0.0.1:1", "mde:timeScale": "1000000000" },
    "mde:timeScale",
    /at most 100000/,
  );
  refused(
    { "mde:apiEndpoint": "https://127.0.0.1:1", "mde:timeScale": "0.0001" },
    "mde:timeScale",
    /at least 0.01/,
  );
  // A custom endpoint (emulator, proxy) sets its own limits.
  const local = resolveSettings(
    { ...secretConfig, "mde:apiEndpoint": "https://127.0.0.1:1", "mde:rateLimitPerMinute": "1000000" },
    {},
  );
  t.is(local.rateLimitPerMinute, 1_000_000);
});

test("credentials in an endpoint URL are never echoed", (t) => {
  for (const value of [
    "http://user:hunter2@example.com",
    "ftp://admin:hunter2@127.0.0.1/",
    "https://user:hunter2@api.example.com/x?y",
  ]) {
    const error = t.throws(() => resolveSettings({ ...secretConfig, "mde:apiEndpoint": value }, {}), {
      instanceOf: DefenderError,
    });
    t.false(error?.message.includes("hunter2"), error?.message);
    t.is(error?.configKey, "mde:apiEndpoint");
  }
});

test("only localhost itself and loopback addresses count as loopback, not other *.localhost names", (t) => {
  t.true(isLoopbackHost("localhost"));
  t.false(isLoopbackHost("evil.localhost"));
  t.throws(() => resolveSettings({ ...secretConfig, "mde:apiEndpoint": "http://api.localhost:8080" }, {}), {
    message: /http:\/\/ only for loopback/,
  });
});

test("a file far too large to be a PEM is refused with the key, not a V8 string error", (t) => {
  const big = join(tmpdir(), `huge-${process.pid}.pem`);
  writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 65));
  const error = t.throws(() => resolveSettings({ ...secretConfig, "mde:caCertPath": big }, {}), {
    instanceOf: DefenderError,
  });
  t.is(error?.configKey, "mde:caCertPath");
  t.regex(error?.message ?? "", /at most 1024 KiB/);
});

test("unreadable certificate, token and CA files are refused with the path", (t) => {
  const missing = join(tls.dir, "missing.pem");
  const cert = configError(t, () =>
    resolveSettings(
      { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:clientCertificatePath": missing },
      {},
    ),
  );
  t.is(cert.configKey, "mde:clientCertificatePath");
  t.regex(cert.message, /ENOENT/);
  t.true(cert.message.includes(missing));
  const token = configError(t, () =>
    resolveSettings(
      { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:federatedTokenFile": missing },
      {},
    ),
  );
  t.is(token.configKey, "mde:federatedTokenFile");
  const ca = configError(t, () => resolveSettings({ ...secretConfig, "mde:caCertPath": missing }, {}));
  t.is(ca.configKey, "mde:caCertPath");
  const caEnv = configError(t, () => resolveSettings(secretConfig, { MDE_CA_CERT_PATH: missing }));
  t.is(caEnv.configKey, "MDE_CA_CERT_PATH");
});

test("a certificate file must hold both certificate and key", (t) => {
  const certOnly = configError(t, () =>
    resolveSettings(
      { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:clientCertificatePath": tls.certPath },
      {},
    ),
  );
  t.regex(certOnly.message, /private key/);
  const ok = resolveSettings(
    { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:clientCertificatePath": tls.combinedPath },
    {},
  );
  t.is(ok.credential.kind, "clientCertificate");
  const notPem = join(tls.dir, "not.pem");
  writeFileSync(notPem, "hello");
  configError(t, () => resolveSettings({ ...secretConfig, "mde:caCertPath": notPem }, {}));
  const ca = resolveSettings({ ...secretConfig, "mde:caCertPath": tls.certPath }, {});
  t.is(ca.caCertPem, tls.certPem);
});

test("secrets are registered for redaction and hidden from JSON and inspect", (t) => {
  const s = resolveSettings(secretConfig, {});
  t.is(redact(`oops ${SECRET} leaked`), "oops REDACTED leaked");
  t.false(JSON.stringify(s).includes(SECRET));
  t.false(inspect(s, { depth: 5 }).includes(SECRET));
  t.is((s.credential as { clientSecret: string }).clientSecret, SECRET);
  const tokenSettings = resolveSettings({ "mde:accessToken": "static-token-for-test" }, {});
  t.false(JSON.stringify(tokenSettings).includes("static-token-for-test"));
});

test("fingerprint identifies application, tenant and API host; credential fingerprint adds the credential", (t) => {
  const a = resolveSettings(secretConfig, {});
  const b = resolveSettings({ ...secretConfig, "mde:clientSecret": "another-secret-value" }, {});
  const c = resolveSettings({ ...secretConfig, "mde:cloud": "eu" }, {});
  t.is(settingsFingerprint(a), settingsFingerprint(b));
  t.not(settingsFingerprint(a), settingsFingerprint(c));
  t.not(credentialFingerprint(a), credentialFingerprint(b));
  t.false(credentialFingerprint(a).includes(SECRET));
  // A static JWT is identified by its app and tenant claims.
  const payload = Buffer.from(JSON.stringify({ tid: TENANT, appid: CLIENT, exp: 9999999999 })).toString(
    "base64url",
  );
  const jwt = `eyJhbGciOiJub25lIn0.${payload}.sig`;
  const s = resolveSettings({ "mde:accessToken": jwt }, {});
  t.is(settingsFingerprint(s), settingsFingerprint(a));
});

test("an encrypted private key is refused at preview, as the token request would refuse it", (t) => {
  const { certPem } = generateCertificate();
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pass phrase" },
  });
  const path = join(tmpdir(), `encrypted-${process.pid}.pem`);
  writeFileSync(path, certPem + privateKey);
  const error = t.throws(
    () =>
      resolveSettings(
        { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:clientCertificatePath": path },
        {},
      ),
    { instanceOf: DefenderError },
  );
  t.is(error?.configKey, "mde:clientCertificatePath");
  t.regex(error?.message ?? "", /encrypted with a passphrase/);
  t.false((error?.message ?? "").includes("PRIVATE KEY-----\n"));
});
