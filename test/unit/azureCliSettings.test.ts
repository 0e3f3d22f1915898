/**
 * Choosing the Azure CLI credential (`mde:useAzureCli`): explicit only, one kind among the others, the
 * tenant passed to `az` validated, and the CLI's application as the quota's identity.
 */
import test from "ava";
import { DefenderError } from "../../src/core/errors";
import { CONFIG_KEYS } from "../../src/settings/configKeys";
import { AZURE_CLI_CLIENT_ID, CREDENTIAL_SOURCES } from "../../src/settings/credentials";
import { credentialFingerprint, settingsFingerprint } from "../../src/settings/fingerprints";
import { resolveSettings } from "../../src/settings/resolveSettings";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET = "s3cr3t-Value~with.dots";

function configError(t: import("ava").ExecutionContext, fn: () => unknown): DefenderError {
  const error = t.throws(fn, { instanceOf: DefenderError }) as DefenderError;
  t.is(error.code, "MDE_CONFIG_INVALID");
  return error;
}

test("mde:useAzureCli is a config key, read at configure", (t) => {
  t.true((CONFIG_KEYS as readonly string[]).includes("mde:useAzureCli"));
  t.deepEqual(
    CREDENTIAL_SOURCES.find((s) => s.kind === "azureCli"),
    { kind: "azureCli", key: "mde:useAzureCli" },
    "no environment variable selects it",
  );
});

test("mde:useAzureCli=true selects the Azure CLI, with the tenant from config or AZURE_TENANT_ID", (t) => {
  t.deepEqual(resolveSettings({ "mde:useAzureCli": "true", "mde:tenantId": TENANT }, {}).credential, {
    kind: "azureCli",
    tenantId: TENANT,
  });
  t.deepEqual(resolveSettings({ "mde:useAzureCli": "yes" }, { AZURE_TENANT_ID: TENANT }).credential, {
    kind: "azureCli",
    tenantId: TENANT,
  });
  t.deepEqual(resolveSettings({ "mde:useAzureCli": "true" }, {}).credential, { kind: "azureCli" });
});

test("explicit only: the environment's credentials still win when the flag is false or absent", (t) => {
  const env = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: SECRET };
  t.is(resolveSettings({ "mde:useAzureCli": "false" }, env).credential.kind, "clientSecret");
  t.is(resolveSettings({}, env).credential.kind, "clientSecret");
  // An explicit choice in config beats credentials found in the environment.
  t.is(resolveSettings({ "mde:useAzureCli": "true" }, env).credential.kind, "azureCli");
  const off = configError(t, () => resolveSettings({ "mde:useAzureCli": "false" }, {}));
  t.regex(off.message, /No Defender credential/);
  t.regex(off.message, /mde:useAzureCli=true/);
  const bad = configError(t, () => resolveSettings({ "mde:useAzureCli": "please" }, {}));
  t.is(bad.configKey, "mde:useAzureCli");
});

test("exactly one kind: the Azure CLI with a client secret or managed identity is refused, naming both", (t) => {
  const withSecret = configError(t, () =>
    resolveSettings(
      {
        "mde:useAzureCli": "true",
        "mde:tenantId": TENANT,
        "mde:clientId": CLIENT,
        "mde:clientSecret": SECRET,
      },
      {},
    ),
  );
  t.regex(withSecret.message, /mde:clientSecret and mde:useAzureCli are both set/);
  t.false(withSecret.message.includes(SECRET));
  const withMi = configError(t, () =>
    resolveSettings({ "mde:useAzureCli": "true", "mde:useManagedIdentity": "true" }, {}),
  );
  t.regex(withMi.message, /mde:useManagedIdentity and mde:useAzureCli/);
});

test("the tenant becomes an argument of az: anything but a GUID or domain is refused", (t) => {
  for (const tenantId of ["--allow-no-subscriptions", "contoso.com; rm -rf /", "a b"]) {
    const e = configError(t, () =>
      resolveSettings({ "mde:useAzureCli": "true", "mde:tenantId": tenantId }, {}),
    );
    t.is(e.configKey, "mde:tenantId");
  }
  t.is(
    resolveSettings({ "mde:useAzureCli": "true", "mde:tenantId": "contoso.onmicrosoft.com" }, {}).credential
      .kind,
    "azureCli",
  );
});

test("quota identity is the Azure CLI application; the token cache is per tenant", (t) => {
  const a = resolveSettings({ "mde:useAzureCli": "true", "mde:tenantId": TENANT }, {});
  const withClientId = resolveSettings(
    { "mde:useAzureCli": "true", "mde:tenantId": TENANT, "mde:clientId": CLIENT },
    {},
  );
  t.true(settingsFingerprint(a).startsWith(`${AZURE_CLI_CLIENT_ID}|`));
  t.is(settingsFingerprint(withClientId), settingsFingerprint(a), "mde:clientId does not apply to az tokens");
  const other = resolveSettings({ "mde:useAzureCli": "true", "mde:tenantId": "contoso.onmicrosoft.com" }, {});
  t.not(credentialFingerprint(a), credentialFingerprint(other));
});
