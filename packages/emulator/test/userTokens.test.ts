import { PublicClientApplication } from "@azure/msal-node";
import test from "ava";
import { AZURE_CLI_CLIENT_ID, type Emulator, startEmulator } from "../src";
import { type Answer, isApiError, jwtPayload, msalNetworkClient, postToken, send } from "./support";

let em: Emulator;
test.before(async () => {
  em = await startEmulator({
    timeScale: 10,
    users: [{ upn: "Responder@Contoso.com", password: "Correct-Horse-1" }, { upn: "viewer@contoso.com" }],
  });
});
test.after.always(() => em?.close());

const SCOPE = "https://api.securitycenter.microsoft.com/.default";

function ropc(form: Record<string, string>, tenant = em.defaultUser.tenantId): Promise<Answer> {
  return postToken(em, tenant, {
    grant_type: "password",
    client_id: AZURE_CLI_CLIENT_ID,
    username: "responder@contoso.com",
    password: "Correct-Horse-1",
    scope: SCOPE,
    ...form,
  });
}

function entraError(
  t: import("ava").ExecutionContext,
  answer: Answer,
  status: number,
  error: string,
  code: number,
) {
  t.is(answer.status, status, answer.body);
  t.is(answer.json.error, error);
  t.deepEqual(answer.json.error_codes, [code]);
}

test("a user token carries scp, upn, unique_name, oid and tid instead of roles", (t) => {
  const user = em.defaultUser;
  t.is(user.upn, "responder@contoso.com", "UPNs are kept lower-case");
  t.is(user.tenantId, em.defaultApp.tenantId);
  const claims = jwtPayload(em.issueUserToken());
  t.is(claims.aud, "https://api.securitycenter.microsoft.com");
  t.is(claims.iss, `https://sts.windows.net/${user.tenantId}/`);
  t.is(claims.scp, "Machine.CollectForensics Machine.Read Machine.ReadWrite");
  t.is(claims.upn, user.upn);
  t.is(claims.unique_name, user.upn);
  t.is(claims.oid, user.objectId);
  t.is(claims.tid, user.tenantId);
  t.is(claims.appid, AZURE_CLI_CLIENT_ID);
  t.false("roles" in claims);
  const scoped = jwtPayload(em.issueUserToken({ upn: "viewer@contoso.com", scopes: ["Machine.Read"] }));
  t.is(scoped.scp, "Machine.Read");
  t.is(scoped.upn, "viewer@contoso.com");
  t.throws(() => em.issueUserToken({ upn: "nobody@contoso.com" }), { message: /no user/ });
});

test("a short-lived user token expires mid-way (emulated seconds)", async (t) => {
  const token = em.issueUserToken({ lifetimeSeconds: 600 });
  const claims = jwtPayload(token);
  t.is((claims.exp as number) - (claims.iat as number), 60, "600 emulated s at timeScale 10");
  const local = await startEmulator();
  t.teardown(() => local.close());
  const short = local.issueUserToken({ lifetimeSeconds: 120 });
  const path = `/api/machines/${local.fleet[0]!.id}`;
  t.is((await send(local, "GET", path, { token: short })).status, 200);
  local.advanceTime(121);
  const expired = await send(local, "GET", path, { token: short });
  t.true(isApiError(expired, "Unauthorized"));
  t.regex(expired.json.error.message, /expired/);
});

test("password grant (ROPC) with the Azure CLI client id", async (t) => {
  const answer = await ropc({});
  t.is(answer.status, 200, answer.body);
  t.is(answer.json.token_type, "Bearer");
  t.is(
    answer.json.scope,
    "https://api.securitycenter.microsoft.com/Machine.CollectForensics https://api.securitycenter.microsoft.com/Machine.Read https://api.securitycenter.microsoft.com/Machine.ReadWrite",
  );
  const claims = jwtPayload(answer.json.access_token);
  t.is(claims.upn, "responder@contoso.com");
  t.is(claims.appidacr, "0");
  t.true(em.issuedTokens().includes(answer.json.access_token));
  t.is(em.calls({ route: "token" }).at(-1)?.clientId, AZURE_CLI_CLIENT_ID);

  const named = await ropc(
    { scope: "https://api.security.microsoft.com/Machine.Read openid profile" },
    "organizations",
  );
  t.is(named.status, 200, "organizations resolves the tenant from the UPN");
  t.is(jwtPayload(named.json.access_token).scp, "Machine.Read");
  t.is(typeof named.json.id_token, "string");
  t.is(typeof named.json.client_info, "string");
});

test("password grant errors in Entra's shape", async (t) => {
  entraError(t, await ropc({ password: "wrong" }), 400, "invalid_grant", 50126);
  entraError(t, await ropc({ username: "ghost@contoso.com" }), 400, "invalid_grant", 50034);
  entraError(
    t,
    await ropc({ client_id: "11111111-1111-4111-8111-111111111111" }),
    400,
    "unauthorized_client",
    700016,
  );
  entraError(
    t,
    await ropc({ scope: "https://api.securitycenter.microsoft.com/Machine.Isolate" }),
    400,
    "invalid_grant",
    65001,
  );
  entraError(
    t,
    await ropc({ scope: "https://graph.microsoft.com/.default" }),
    400,
    "invalid_resource",
    500011,
  );
  entraError(t, await ropc({}, "22222222-2222-4222-8222-222222222222"), 400, "invalid_request", 90002);
});

test("msal-node's username/password flow gets a token", async (t) => {
  const authority = `${em.authorityHost}/organizations`;
  const pca = new PublicClientApplication({
    auth: {
      clientId: AZURE_CLI_CLIENT_ID,
      authority,
      knownAuthorities: [new URL(em.authorityHost).host],
      authorityMetadata: JSON.stringify({
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        issuer: `${em.authorityHost}/{tenantid}/v2.0`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        jwks_uri: `${authority}/discovery/v2.0/keys`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      }),
    },
    system: { networkClient: msalNetworkClient(em) },
  });
  const result = await pca.acquireTokenByUsernamePassword({
    username: "responder@contoso.com",
    password: "Correct-Horse-1",
    scopes: [SCOPE],
  });
  t.is(jwtPayload(result!.accessToken).upn, "responder@contoso.com");
  t.is(result?.account?.username, "responder@contoso.com");
});

test("admin: register a user, list users without passwords, get an az-shaped token", async (t) => {
  const created = await send(em, "POST", "/_emulator/users", {
    json: { upn: "analyst@contoso.com", rolePermissions: ["View data"], rbacGroupIds: [4401] },
  });
  t.is(created.status, 201);
  t.is(typeof created.json.password, "string");
  const listed = await send(em, "GET", "/_emulator/users");
  const analyst = listed.json.find((u: { upn: string }) => u.upn === "analyst@contoso.com");
  t.deepEqual(analyst.rbacGroupIds, [4401]);
  t.false("password" in analyst);
  const token = await send(em, "POST", "/_emulator/users/analyst@contoso.com/token", {
    json: { lifetimeSeconds: 900, scopes: ["Machine.Read"] },
  });
  t.is(token.status, 200);
  t.deepEqual(Object.keys(token.json).sort(), [
    "accessToken",
    "expiresOn",
    "expires_on",
    "tenant",
    "tokenType",
  ]);
  t.regex(token.json.expiresOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  t.is(token.json.expires_on, jwtPayload(token.json.accessToken).exp);
  t.is(jwtPayload(token.json.accessToken).scp, "Machine.Read");
  t.is((await send(em, "POST", "/_emulator/users/ghost@contoso.com/token")).status, 404);
  t.is((await send(em, "POST", "/_emulator/users", { json: { upn: "not-an-upn" } })).status, 400);
});
