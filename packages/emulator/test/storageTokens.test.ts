/**
 * Storage tokens: for scope `https://storage.azure.com/.default` the emulated Entra ID issues a
 * token with the audience and issuer Azurite (`--oauth basic`) requires, for every credential kind,
 * and the emulated Defender API refuses it. Azurite itself accepting them is proven in the harness.
 */

import { X509Certificate } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { connect } from "node:tls";
import test from "ava";
import {
  AZURE_CLI_CLIENT_ID,
  type Emulator,
  GITHUB_ACTIONS_ISSUER,
  generateCertificate,
  STORAGE_AUDIENCE,
  startEmulator,
} from "../src";
import { type Answer, jwtPayload, msalClient, postToken, send } from "./support";

const STORAGE_SCOPE = "https://storage.azure.com/.default";

let em: Emulator;
test.before(async () => {
  em = await startEmulator({ timeScale: 10, tokenLifetimeSeconds: 1200 });
});
test.after.always(() => em?.close());

/** What Azurite 3.37 checks with `--oauth basic`, and that the token names the caller. */
function assertStorageToken(t: import("ava").ExecutionContext, token: string, appid: string, tenant: string) {
  const claims = jwtPayload(token);
  t.is(claims.aud, STORAGE_AUDIENCE);
  t.is(claims.iss, `https://sts.windows.net/${tenant}/`);
  t.is(claims.tid, tenant);
  t.is(claims.appid, appid);
  const now = Date.now() / 1000;
  t.true((claims.nbf as number) <= now && (claims.iat as number) <= now, "not dated ahead of the real clock");
  t.true((claims.exp as number) > now);
  return claims;
}

async function refusedByDefender(t: import("ava").ExecutionContext, token: string) {
  const answer = await send(em, "GET", "/api/machines", { token });
  t.is(answer.status, 401, "the Defender API refuses a storage token");
  t.regex(answer.body, /audience/);
  t.false(answer.body.includes(token));
}

test("client secret: a storage token has Azure Storage's audience, Entra's v1 issuer and no roles", async (t) => {
  const app = em.defaultApp;
  const answer = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope: STORAGE_SCOPE,
  });
  t.is(answer.status, 200, answer.body);
  const claims = assertStorageToken(t, answer.json.access_token, app.clientId, app.tenantId);
  t.false("roles" in claims, "storage rights are role assignments on Azure, not app roles");
  t.is((claims.exp as number) - (claims.iat as number), 120, "1200 emulated seconds at time scale 10");
  t.true(em.issuedTokens().includes(answer.json.access_token));
  await refusedByDefender(t, answer.json.access_token);
});

test("the resource may be given with a trailing slash or as Azure Storage's application id", async (t) => {
  const app = em.defaultApp;
  for (const scope of [
    "https://storage.azure.com//.default",
    "e406a681-f3d4-42a8-90b6-c2b029497af1/.default",
  ]) {
    const answer = await postToken(em, app.tenantId, {
      grant_type: "client_credentials",
      client_id: app.clientId,
      client_secret: app.clientSecret,
      scope,
    });
    t.is(answer.status, 200, answer.body);
    t.is(jwtPayload(answer.json.access_token).aud, STORAGE_AUDIENCE);
  }
});

test("a Defender token keeps its audience and roles; asking for both resources at once is refused", async (t) => {
  const app = em.defaultApp;
  const defender = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope: "https://api.securitycenter.microsoft.com/.default",
  });
  t.is(jwtPayload(defender.json.access_token).aud, "https://api.securitycenter.microsoft.com");
  t.deepEqual(jwtPayload(defender.json.access_token).roles, app.roles);
  const both = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope: `https://api.securitycenter.microsoft.com/.default ${STORAGE_SCOPE}`,
  });
  t.is(both.status, 400);
  t.is(both.json.error, "invalid_scope");
});

test("client certificate (msal-node): a storage token", async (t) => {
  const cert = generateCertificate();
  const app = em.addApp({ certificatePem: cert.certPem, roles: ["Machine.Read.All"] });
  const cca = msalClient(em, app.tenantId, {
    clientId: app.clientId,
    clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem },
  });
  const result = await cca.acquireTokenByClientCredential({ scopes: [STORAGE_SCOPE] });
  t.truthy(result?.accessToken);
  assertStorageToken(t, result!.accessToken, app.clientId, app.tenantId);
  await refusedByDefender(t, result!.accessToken);
});

test("federated credential (GitHub OIDC): a storage token", async (t) => {
  const subject = "repo:contoso/incident-response:ref:refs/heads/main";
  const app = em.addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject } });
  const env = em.githubActionsEnv({ subject });
  const idToken = await send(
    em,
    "GET",
    `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent("api://AzureADTokenExchange")}`,
    { token: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN },
  );
  const answer = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    scope: STORAGE_SCOPE,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: idToken.json.value,
  });
  t.is(answer.status, 200, answer.body);
  assertStorageToken(t, answer.json.access_token, app.clientId, app.tenantId);
});

test("managed identity (App Service and IMDS shapes): a storage token for resource https://storage.azure.com/", async (t) => {
  const mi = em.managedIdentity;
  const env = em.managedIdentityEnv({ source: "appService" });
  const appService = await send(
    em,
    "GET",
    `/msi/token?api-version=2019-08-01&resource=${encodeURIComponent("https://storage.azure.com/")}`,
    { headers: { "x-identity-header": env.IDENTITY_HEADER ?? "" } },
  );
  t.is(appService.status, 200, appService.body);
  const claims = assertStorageToken(t, appService.json.access_token, mi.clientId, mi.tenantId);
  t.is(Number(appService.json.expires_on), claims.exp as number, "expires_on agrees with the token");
  t.is(appService.json.resource, "https://storage.azure.com/");
  const imds = await send(
    em,
    "GET",
    `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent("https://storage.azure.com")}`,
    { headers: { metadata: "true" } },
  );
  t.is(imds.status, 200, imds.body);
  assertStorageToken(t, imds.json.access_token, mi.clientId, mi.tenantId);
  await refusedByDefender(t, imds.json.access_token);
});

function ropc(scope: string): Promise<Answer> {
  return postToken(em, em.defaultUser.tenantId, {
    grant_type: "password",
    client_id: AZURE_CLI_CLIENT_ID,
    username: em.defaultUser.upn,
    password: em.defaultUser.password,
    scope,
  });
}

test("a user (the Azure CLI, password grant) gets a storage token with scp user_impersonation", async (t) => {
  const answer = await ropc(STORAGE_SCOPE);
  t.is(answer.status, 200, answer.body);
  t.is(answer.json.scope, "https://storage.azure.com/user_impersonation");
  const claims = assertStorageToken(
    t,
    answer.json.access_token,
    AZURE_CLI_CLIENT_ID,
    em.defaultUser.tenantId,
  );
  t.is(claims.scp, "user_impersonation");
  t.is(claims.upn, em.defaultUser.upn);
  t.false("roles" in claims);
  await refusedByDefender(t, answer.json.access_token);
  t.is((await ropc("https://storage.azure.com/user_impersonation")).status, 200);
  const other = await ropc("https://storage.azure.com/Machine.Read");
  t.is(other.status, 400);
  t.deepEqual(other.json.error_codes, [65001], "Defender's permissions are not storage permissions");
});

test("issueUserToken and issueToken mint storage tokens on request", (t) => {
  const user = jwtPayload(em.issueUserToken({ audience: STORAGE_AUDIENCE }));
  t.is(user.aud, STORAGE_AUDIENCE);
  t.is(user.scp, "user_impersonation");
  const app = jwtPayload(em.issueToken({ audience: STORAGE_AUDIENCE }));
  t.is(app.aud, STORAGE_AUDIENCE);
  t.false("roles" in app);
});

test("advanceTime moves Defender tokens but never dates a storage token ahead of the real clock", async (t) => {
  const local = await startEmulator();
  t.teardown(() => local.close());
  local.advanceTime(7200);
  const now = Date.now() / 1000;
  const storage = jwtPayload(local.issueToken({ audience: STORAGE_AUDIENCE }));
  t.true((storage.nbf as number) <= now + 1, "Azurite refuses a token whose nbf is ahead of its clock");
  const defender = jwtPayload(local.issueToken());
  t.true((defender.nbf as number) >= now + 7000, "Defender tokens follow the emulated clock");
});

test("issueServerCertificate: a leaf for the loopback names that the emulator's CA signed", async (t) => {
  const issued = em.issueServerCertificate();
  const leaf = new X509Certificate(issued.certPem);
  t.true(leaf.checkIssued(new X509Certificate(em.caPem)));
  t.true(leaf.verify(new X509Certificate(em.caPem).publicKey));
  t.regex(leaf.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  t.regex(leaf.subjectAltName ?? "", /DNS:localhost/);
  t.not(issued.certPem, em.issueServerCertificate().certPem, "a new key and certificate each time");
  // A TLS client trusting only the CA file accepts a server presenting it.
  const server = createServer({ cert: issued.certPem, key: issued.keyPem }, (_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const authorized = await new Promise<boolean>((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca: em.caPem, servername: "localhost" }, () => {
      resolve(socket.authorized);
      socket.end();
    });
    socket.on("error", reject);
  });
  t.true(authorized);
});
