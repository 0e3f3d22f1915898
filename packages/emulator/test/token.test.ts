import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import test from "ava";
import { type Emulator, generateCertificate, startEmulator } from "../src";
import { type Answer, jwtPayload, msalClient, postToken, SCOPE, send } from "./support";

let em: Emulator;

test.before(async () => {
  em = await startEmulator({ timeScale: 10, tokenLifetimeSeconds: 1200 });
});
test.after.always(() => em?.close());

function entraError(
  t: import("ava").ExecutionContext,
  answer: Answer,
  status: number,
  error: string,
  code: number,
) {
  t.is(answer.status, status);
  t.is(answer.json.error, error);
  t.deepEqual(answer.json.error_codes, [code]);
  t.true(String(answer.json.error_description).startsWith(`AADSTS${code}: `));
  t.regex(answer.json.trace_id, /^[0-9a-f-]{36}$/);
  t.regex(answer.json.correlation_id, /^[0-9a-f-]{36}$/);
  t.is(typeof answer.json.timestamp, "string");
}

function signJwt(
  payload: Record<string, unknown>,
  header: Record<string, unknown>,
  key: import("node:crypto").KeyObject | string,
) {
  const input = `${Buffer.from(JSON.stringify({ typ: "JWT", ...header })).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${input}.${sign("sha256", Buffer.from(input), key).toString("base64url")}`;
}

test("msal-node gets a token with a client secret; claims name the app, tenant and roles", async (t) => {
  const app = em.defaultApp;
  const cca = msalClient(em, app.tenantId, { clientId: app.clientId, clientSecret: app.clientSecret });
  const result = await cca.acquireTokenByClientCredential({ scopes: [SCOPE] });
  t.truthy(result?.accessToken);
  const claims = jwtPayload(result!.accessToken);
  t.is(claims.aud, "https://api.securitycenter.microsoft.com");
  t.is(claims.tid, app.tenantId);
  t.is(claims.appid, app.clientId);
  t.deepEqual(claims.roles, app.roles);
  t.is(typeof claims.iat, "number");
  // 1200 emulated seconds at timeScale 10: 120 real seconds.
  t.is((claims.exp as number) - (claims.iat as number), 120);
  const header = JSON.parse(Buffer.from(result!.accessToken.split(".")[0]!, "base64url").toString());
  t.is(header.alg, "RS256");
  t.true(em.issuedTokens().includes(result!.accessToken));
});

test("token response has the Entra shape", async (t) => {
  const app = em.defaultApp;
  const answer = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope: "https://api.security.microsoft.com/.default",
  });
  t.is(answer.status, 200);
  t.deepEqual(Object.keys(answer.json).sort(), [
    "access_token",
    "expires_in",
    "ext_expires_in",
    "token_type",
  ]);
  t.is(answer.json.token_type, "Bearer");
  t.is(answer.json.expires_in, 120);
});

test("msal-node gets a token with a client certificate (PS256, x5t#S256)", async (t) => {
  const cert = generateCertificate();
  const app = em.addApp({ certificatePem: cert.certPem, roles: ["Machine.Read.All"] });
  const cca = msalClient(em, app.tenantId, {
    clientId: app.clientId,
    clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem },
  });
  const result = await cca.acquireTokenByClientCredential({ scopes: [SCOPE] });
  const claims = jwtPayload(result!.accessToken);
  t.is(claims.appid, app.clientId);
  t.deepEqual(claims.roles, ["Machine.Read.All"]);
  t.is(claims.appidacr, "2");
});

test("a certificate assertion signed by another key is refused (AADSTS700027)", async (t) => {
  const cert = generateCertificate();
  const other = generateCertificate();
  const app = em.addApp({ certificatePem: cert.certPem });
  const cca = msalClient(em, app.tenantId, {
    clientId: app.clientId,
    clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: other.keyPem },
  });
  const error = await t.throwsAsync(cca.acquireTokenByClientCredential({ scopes: [SCOPE] }));
  t.regex(String((error as { errorCode?: string }).errorCode), /invalid_client/);
  t.regex(error!.message, /AADSTS700027/);
});

test("certificate assertion checks: thumbprint, audience, expiry, iss = sub = client id", async (t) => {
  const cert = generateCertificate();
  const app = em.addApp({ certificatePem: cert.certPem });
  const endpoint = `${em.authorityHost}/${app.tenantId}/oauth2/v2.0/token`;
  const now = Math.floor(Date.now() / 1000);
  const x5t = Buffer.from(cert.thumbprintSha256, "hex").toString("base64url");
  const good = {
    aud: endpoint,
    iss: app.clientId,
    sub: app.clientId,
    exp: now + 600,
    nbf: now,
    jti: randomUUID(),
  };
  const assertion = (
    payload: Record<string, unknown>,
    header: Record<string, unknown> = { alg: "RS256", "x5t#S256": x5t },
  ) => ({
    grant_type: "client_credentials",
    client_id: app.clientId,
    scope: SCOPE,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: signJwt(payload, header, cert.keyPem),
  });
  t.is((await postToken(em, app.tenantId, assertion(good))).status, 200, "RS256 works too");
  entraError(
    t,
    await postToken(em, app.tenantId, assertion(good, { alg: "RS256", "x5t#S256": "AAAA" })),
    401,
    "invalid_client",
    700027,
  );
  entraError(
    t,
    await postToken(em, app.tenantId, assertion({ ...good, aud: "https://elsewhere/token" })),
    400,
    "invalid_request",
    50027,
  );
  entraError(
    t,
    await postToken(em, app.tenantId, assertion({ ...good, exp: now - 3600 })),
    401,
    "invalid_client",
    700024,
  );
  entraError(
    t,
    await postToken(em, app.tenantId, assertion({ ...good, sub: "someone" })),
    401,
    "invalid_client",
    700021,
  );
  const wrongType = { ...assertion(good), client_assertion_type: "jwt" };
  entraError(t, await postToken(em, app.tenantId, wrongType), 400, "invalid_request", 50027);
});

test("federated assertions: registered issuer, subject and api://AzureADTokenExchange audience", async (t) => {
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const issuer = "https://token.actions.githubusercontent.com";
  const subject = "repo:contoso/ir:ref:refs/heads/main";
  const app = em.addApp({
    federated: {
      issuer,
      subject,
      jwksPem: keys.publicKey.export({ type: "spki", format: "pem" }).toString(),
    },
  });
  const now = Math.floor(Date.now() / 1000);
  const good = { iss: issuer, sub: subject, aud: "api://AzureADTokenExchange", exp: now + 300, iat: now };
  const form = (payload: Record<string, unknown>, key = keys.privateKey) => ({
    grant_type: "client_credentials",
    client_id: app.clientId,
    scope: SCOPE,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: signJwt(payload, { alg: "RS256", kid: "k1" }, key),
  });
  const ok = await postToken(em, app.tenantId, form(good));
  t.is(ok.status, 200);
  t.is(jwtPayload(ok.json.access_token).appid, app.clientId);

  // msal-node's clientAssertion callback, as a federated token file would be read.
  const cca = msalClient(em, app.tenantId, {
    clientId: app.clientId,
    clientAssertion: async () => form(good).client_assertion,
  });
  t.truthy((await cca.acquireTokenByClientCredential({ scopes: [SCOPE] }))?.accessToken);

  entraError(
    t,
    await postToken(em, app.tenantId, form({ ...good, iss: "https://evil.example" })),
    400,
    "invalid_client",
    700211,
  );
  entraError(
    t,
    await postToken(em, app.tenantId, form({ ...good, sub: "repo:contoso/other" })),
    400,
    "invalid_client",
    700213,
  );
  entraError(
    t,
    await postToken(em, app.tenantId, form({ ...good, aud: "api://other" })),
    400,
    "invalid_client",
    700212,
  );
  const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  entraError(t, await postToken(em, app.tenantId, form(good, stranger)), 401, "invalid_client", 700027);
  entraError(
    t,
    await postToken(em, app.tenantId, form({ ...good, exp: now - 3600 })),
    401,
    "invalid_client",
    700024,
  );
});

test("wrong client secret: 401 invalid_client AADSTS7000215", async (t) => {
  const app = em.defaultApp;
  const answer = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: "wrong",
    scope: SCOPE,
  });
  entraError(t, answer, 401, "invalid_client", 7000215);
  t.regex(answer.json.error_description, /Invalid client secret provided/);
});

test("msal-node surfaces a wrong secret as invalid_client", async (t) => {
  const app = em.defaultApp;
  const cca = msalClient(em, app.tenantId, { clientId: app.clientId, clientSecret: "wrong" });
  const error = await t.throwsAsync(cca.acquireTokenByClientCredential({ scopes: [SCOPE] }));
  t.is((error as { errorCode?: string }).errorCode, "invalid_client");
});

test("unknown app: 400 unauthorized_client AADSTS700016; unknown tenant: AADSTS90002", async (t) => {
  const app = em.defaultApp;
  const form = {
    grant_type: "client_credentials",
    client_id: randomUUID(),
    client_secret: "x",
    scope: SCOPE,
  };
  entraError(t, await postToken(em, app.tenantId, form), 400, "unauthorized_client", 700016);
  entraError(t, await postToken(em, randomUUID(), form), 400, "invalid_request", 90002);
});

test("scope must be the Defender resource with /.default", async (t) => {
  const app = em.defaultApp;
  const form = (scope: string) => ({
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope,
  });
  entraError(
    t,
    await postToken(em, app.tenantId, form("https://api.securitycenter.microsoft.com/Machine.Read.All")),
    400,
    "invalid_scope",
    1002012,
  );
  entraError(
    t,
    await postToken(em, app.tenantId, form("https://graph.microsoft.com/.default")),
    400,
    "invalid_resource",
    500011,
  );
  const missing = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
  });
  entraError(t, missing, 400, "invalid_request", 900144);
});

test("grant type and credential are required", async (t) => {
  const app = em.defaultApp;
  entraError(
    t,
    await postToken(em, app.tenantId, {
      grant_type: "authorization_code",
      client_id: app.clientId,
      scope: SCOPE,
    }),
    400,
    "unsupported_grant_type",
    70003,
  );
  entraError(
    t,
    await postToken(em, app.tenantId, {
      grant_type: "client_credentials",
      client_id: app.clientId,
      scope: SCOPE,
    }),
    401,
    "invalid_client",
    7000218,
  );
});

test("OpenID configuration and keys are served per tenant", async (t) => {
  const tenant = em.defaultApp.tenantId;
  const config = await send(em, "GET", `/${tenant}/v2.0/.well-known/openid-configuration`);
  t.is(config.status, 200);
  t.is(config.json.token_endpoint, `${em.authorityHost}/${tenant}/oauth2/v2.0/token`);
  t.is(config.json.issuer, `${em.authorityHost}/${tenant}/v2.0`);
  const keys = await send(em, "GET", new URL(config.json.jwks_uri).pathname);
  t.is(keys.status, 200);
  t.is(keys.json.keys[0].kty, "RSA");
});

test("token endpoint outage is injected with a status fault on route 'token'", async (t) => {
  // Its own emulator: a fault would hit the other tests of this file, which run concurrently.
  const em = await startEmulator();
  t.teardown(() => em.close());
  em.injectFault({ route: "token", kind: "status", status: 503, retryAfterSeconds: 2 });
  const app = em.defaultApp;
  const form = {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope: SCOPE,
  };
  const down = await postToken(em, app.tenantId, form);
  t.is(down.status, 503);
  t.is(down.json.error, "temporarily_unavailable");
  t.is(down.headers["retry-after"], "2");
  t.is((await postToken(em, app.tenantId, form)).status, 200, "one call by default");
});
