import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { type Emulator, startEmulator } from "../src";
import { jwtPayload, send } from "./support";

const run = promisify(execFile);
const fixture = join(__dirname, "fixtures", "managedIdentityClient.js");

let em: Emulator;
test.before(async () => {
  em = await startEmulator();
});
test.after.always(() => em?.close());

/** Runs msal-node's ManagedIdentityApplication in a child process with only the given Azure variables. */
async function acquire(
  env: Record<string, string>,
): Promise<{ source: string; accessToken?: string; error?: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(IDENTITY_|MSI_|IMDS_|AZURE_|NODE_EXTRA_CA_CERTS)/.test(k),
    ),
  );
  const { stdout } = await run(process.execPath, [fixture], { env: { ...clean, ...env }, timeout: 20_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

test("msal-node ManagedIdentityApplication gets a token through the App Service source", async (t) => {
  const result = await acquire(em.managedIdentityEnv({ source: "appService" }));
  t.is(result.source, "AppService", result.error);
  t.truthy(result.accessToken, result.error);
  const claims = jwtPayload(result.accessToken!);
  t.is(claims.appid, em.managedIdentity.clientId);
  t.is(claims.tid, em.managedIdentity.tenantId);
  t.is(claims.aud, "https://api.securitycenter.microsoft.com");
  const api = await send(em, "GET", "/api/machines", { token: result.accessToken! });
  t.is(api.status, 200, "the managed identity token works on the API");
  t.is(em.calls({ route: "managedIdentity" }).at(-1)?.status, 200);
});

test("msal-node ManagedIdentityApplication gets a token through the IMDS source (pod identity host)", async (t) => {
  const result = await acquire(em.managedIdentityEnv({ source: "imds" }));
  t.is(result.source, "DefaultToImds", result.error);
  t.truthy(result.accessToken, result.error);
  t.is(jwtPayload(result.accessToken!).appid, em.managedIdentity.clientId);
});

test("a user-assigned identity is selected by client id", async (t) => {
  const identity = em.addApp({ managedIdentity: true, roles: ["Machine.Read.All"] });
  const result = await acquire({
    ...em.managedIdentityEnv(),
    TEST_USER_ASSIGNED_CLIENT_ID: identity.clientId,
  });
  t.truthy(result.accessToken, result.error);
  t.deepEqual(jwtPayload(result.accessToken!).roles, ["Machine.Read.All"]);
});

test("the App Service endpoint checks its secret header, IMDS its Metadata header", async (t) => {
  const resource = encodeURIComponent("https://api.securitycenter.microsoft.com");
  const wrong = await send(em, "GET", `/msi/token?api-version=2019-08-01&resource=${resource}`, {
    headers: { "x-identity-header": "wrong" },
  });
  t.is(wrong.status, 401);
  t.is(wrong.json.error, "unauthorized_client");
  const noMetadata = await send(
    em,
    "GET",
    `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${resource}`,
  );
  t.is(noMetadata.status, 400);
  const badResource = await send(
    em,
    "GET",
    "/metadata/identity/oauth2/token?resource=https://graph.microsoft.com",
    {
      headers: { metadata: "true" },
    },
  );
  t.is(badResource.json.error, "invalid_resource");
});
