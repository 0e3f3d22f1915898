import test from "ava";
import {
  DEFAULT_GITHUB_SUBJECT,
  type Emulator,
  GITHUB_ACTIONS_ISSUER,
  type GithubActionsEnv,
  startEmulator,
} from "../src";
import { type Answer, jwtPayload, postToken, SCOPE, send } from "./support";

let em: Emulator;
test.before(async () => {
  em = await startEmulator();
});
test.after.always(() => em?.close());

const SUBJECT = "repo:contoso/ir-automation:ref:refs/heads/main";

/** What `@actions/core`'s getIDToken does: GET the URL plus `&audience=`, with the request token. */
async function getIdToken(
  env: Pick<GithubActionsEnv, "ACTIONS_ID_TOKEN_REQUEST_URL" | "ACTIONS_ID_TOKEN_REQUEST_TOKEN">,
  audience?: string,
  requestToken?: string,
): Promise<Answer> {
  const url = `${env.ACTIONS_ID_TOKEN_REQUEST_URL}${audience ? `&audience=${encodeURIComponent(audience)}` : ""}`;
  return send(em, "GET", url, { token: requestToken ?? env.ACTIONS_ID_TOKEN_REQUEST_TOKEN });
}

function exchange(app: { tenantId: string; clientId: string }, idToken: string): Promise<Answer> {
  return postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    scope: SCOPE,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: idToken,
  });
}

test("the runner token service hands out GitHub ID tokens for the job's subject and the asked audience", async (t) => {
  const env = em.githubActionsEnv({ subject: SUBJECT });
  t.deepEqual(Object.keys(env).sort(), [
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "NODE_EXTRA_CA_CERTS",
  ]);
  t.is(env.NODE_EXTRA_CA_CERTS, em.caFile);
  const answer = await getIdToken(env, "api://AzureADTokenExchange");
  t.is(answer.status, 200);
  t.deepEqual(Object.keys(answer.json), ["value"]);
  const claims = jwtPayload(answer.json.value);
  t.is(claims.iss, GITHUB_ACTIONS_ISSUER);
  t.is(claims.sub, SUBJECT);
  t.is(claims.aud, "api://AzureADTokenExchange");
  t.is(claims.repository, "contoso/ir-automation");
  t.is(claims.ref, "refs/heads/main");
  t.is((claims.exp as number) - (claims.iat as number), 300);
  const defaultAudience = jwtPayload((await getIdToken(env)).json.value);
  t.is(defaultAudience.aud, "https://github.com/contoso", "GitHub's default audience is the owner URL");
  t.is(jwtPayload((await getIdToken(em.githubActionsEnv())).json.value).sub, DEFAULT_GITHUB_SUBJECT);
});

test("a wrong or missing request token: 401", async (t) => {
  const env = em.githubActionsEnv({ subject: SUBJECT });
  t.is((await getIdToken(env, "api://AzureADTokenExchange", "not-the-token")).status, 401);
  const bare = await send(em, "GET", `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=x`);
  t.is(bare.status, 401);
  t.is(typeof bare.json.message, "string");
});

test("Entra exchanges the ID token through a federated credential registered for the GitHub issuer", async (t) => {
  const app = em.addApp({
    federated: { issuer: GITHUB_ACTIONS_ISSUER, subject: SUBJECT },
    roles: ["Machine.Read.All"],
  });
  const env = em.githubActionsEnv({ subject: SUBJECT });
  const idToken = (await getIdToken(env, "api://AzureADTokenExchange")).json.value as string;
  const answer = await exchange(app, idToken);
  t.is(answer.status, 200, answer.body);
  const claims = jwtPayload(answer.json.access_token);
  t.is(claims.appid, app.clientId);
  t.deepEqual(claims.roles, ["Machine.Read.All"]);
  t.is((await send(em, "GET", "/api/machines", { token: answer.json.access_token })).status, 200);
});

function federatedError(t: import("ava").ExecutionContext, answer: Answer, status: number, code: number) {
  t.is(answer.status, status, answer.body);
  t.is(answer.json.error, "invalid_client");
  t.deepEqual(answer.json.error_codes, [code]);
}

test("wrong subject: AADSTS700213; wrong audience: 700212; expired: 700024", async (t) => {
  const app = em.addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject: SUBJECT } });
  const pullRequest = em.githubActionsEnv({ subject: "repo:contoso/ir-automation:pull_request" });
  federatedError(
    t,
    await exchange(app, (await getIdToken(pullRequest, "api://AzureADTokenExchange")).json.value),
    400,
    700213,
  );
  const env = em.githubActionsEnv({ subject: SUBJECT });
  federatedError(t, await exchange(app, (await getIdToken(env)).json.value), 400, 700212);
  const local = await startEmulator();
  t.teardown(() => local.close());
  const localApp = local.addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject: SUBJECT } });
  const localEnv = local.githubActionsEnv({ subject: SUBJECT, idTokenLifetimeSeconds: 60 });
  const url = `${localEnv.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`;
  const idToken = (await send(local, "GET", url, { token: localEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN })).json
    .value;
  local.advanceTime(60 + 301);
  const expired = await postToken(local, localApp.tenantId, {
    grant_type: "client_credentials",
    client_id: localApp.clientId,
    scope: SCOPE,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: idToken,
  });
  federatedError(t, expired, 401, 700024);
});

test("an ID token of another emulator does not verify: AADSTS700027", async (t) => {
  const other = await startEmulator();
  t.teardown(() => other.close());
  const otherEnv = other.githubActionsEnv({ subject: SUBJECT });
  const url = `${otherEnv.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`;
  const foreign = (await send(other, "GET", url, { token: otherEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN })).json
    .value;
  const app = em.addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject: SUBJECT } });
  federatedError(t, await exchange(app, foreign), 401, 700027);
});

test("admin POST /_emulator/github/env starts a job for scripts outside the test process", async (t) => {
  const answer = await send(em, "POST", "/_emulator/github/env", { json: { subject: SUBJECT } });
  t.is(answer.status, 201);
  const idToken = await getIdToken(answer.json, "api://AzureADTokenExchange");
  t.is(jwtPayload(idToken.json.value).sub, SUBJECT);
});
