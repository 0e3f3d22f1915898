import test from "ava";
import { idTokenUrl } from "../../src/auth/githubOidcAssertion";
import { DefenderError } from "../../src/core/errors";
import { resolveSettings } from "../../src/settings/resolveSettings";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const runner = {
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.example/idtoken?api-version=2.0",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runner-request-token-secret",
};

test("mde:useOidc takes the runner's ID token request from the environment, the request token kept secret", (t) => {
  const s = resolveSettings(
    { "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:useOidc": "true" },
    runner,
  );
  t.is(s.credential.kind, "githubOidc");
  t.false(JSON.stringify(s).includes(runner.ACTIONS_ID_TOKEN_REQUEST_TOKEN), "not enumerable");
});

test("ARM_USE_OIDC=true chooses it from the environment, as for @pulumi/azure-native; false chooses nothing", (t) => {
  const env = { ...runner, AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };
  t.is(resolveSettings({}, { ...env, ARM_USE_OIDC: "true" }).credential.kind, "githubOidc");
  t.throws(() => resolveSettings({}, { ...env, ARM_USE_OIDC: "false" }), {
    message: /No Defender credential/,
  });
});

test("outside a job that may request an ID token, mde:useOidc says what the workflow needs", (t) => {
  const error = t.throws(
    () => resolveSettings({ "mde:tenantId": TENANT, "mde:clientId": CLIENT, "mde:useOidc": "true" }, {}),
    { instanceOf: DefenderError },
  );
  t.is(error?.configKey, "mde:useOidc");
  t.regex(error?.message ?? "", /permissions: id-token: write/);
});

test("the ID token is requested for Entra ID's federation audience", (t) => {
  const url = new URL(idTokenUrl(runner.ACTIONS_ID_TOKEN_REQUEST_URL));
  t.is(url.searchParams.get("audience"), "api://AzureADTokenExchange");
  t.is(url.searchParams.get("api-version"), "2.0");
});
