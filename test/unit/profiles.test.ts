/**
 * Connection profiles: parsed from `mde:profiles`, each its own tenant and credential over the stack's
 * endpoints; every mistake names the profile and the key, never a secret.
 */
import test from "ava";
import type { DefenderError } from "../../src/core/errors";
import { settingsFingerprint } from "../../src/settings/fingerprints";
import { configText, parseProfiles, resolveProfile } from "../../src/settings/profiles";

const TENANT_A = "11111111-1111-1111-1111-111111111111";
const TENANT_B = "22222222-2222-2222-2222-222222222222";
const top = {
  "mde:apiEndpoint": "https://127.0.0.1:8443",
  "mde:authorityHost": "https://127.0.0.1:8443",
  "mde:timeScale": "60",
  "mde:tenantId": TENANT_A,
  "mde:clientId": "app-default",
  "mde:clientSecret": "top-secret-value",
};

function config(profiles: unknown): Record<string, string> {
  return { ...top, "mde:profiles": configText(profiles) };
}

test("a profile has its own tenant and credential, and the stack's endpoints", (t) => {
  const cfg = config({
    contoso: { tenantId: TENANT_B, clientId: "app-contoso", clientSecret: "contoso-secret-value" },
  });
  const settings = resolveProfile(cfg, "contoso");
  t.is(settings.profile, "contoso");
  t.is(settings.tenantId, TENANT_B);
  t.is(settings.clientId, "app-contoso");
  t.is(settings.apiEndpoint, "https://127.0.0.1:8443");
  t.is(settings.timeScale, 60);
  t.like(settings.credential, { kind: "clientSecret" });
  t.not(
    settingsFingerprint(settings),
    settingsFingerprint({ ...settings, tenantId: TENANT_A }),
    "its own quota",
  );
});

test("a misspelled profile names the known ones; a setting's error names the profile's key", (t) => {
  const cfg = config({
    contoso: { tenantId: TENANT_B, clientId: "x", clientSecret: "contoso-secret-value" },
  });
  const missing = t.throws(() => resolveProfile(cfg, "contosso")) as DefenderError;
  t.is(missing.code, "MDE_CONFIG_INVALID");
  t.regex(missing.message, /mde:profiles\.contosso.*one of the profiles contoso/);
  const two = config({
    fabrikam: {
      tenantId: TENANT_B,
      clientId: "x",
      clientSecret: "fabrikam-secret-value",
      useAzureCli: "true",
    },
  });
  const error = t.throws(() => resolveProfile(two, "fabrikam")) as DefenderError;
  t.is(error.code, "MDE_CONFIG_INVALID");
  t.regex(error.message, /^Profile fabrikam: /);
  t.regex(error.message, /mde:profiles\.fabrikam\.(clientSecret|useAzureCli)/);
  t.false(error.message.includes("fabrikam-secret-value"), "never the secret");
});

test("unknown keys, bad names and non-objects are refused; secret wrappers are unwrapped", (t) => {
  t.throws(() => parseProfiles(JSON.stringify({ a: { clientSecrett: "x" } })), { message: /clientSecrett/ });
  t.throws(() => parseProfiles(JSON.stringify({ "bad name": {} })), { message: /profile names/ });
  t.throws(() => parseProfiles(JSON.stringify({ a: "x" })), { message: /an object of settings/ });
  t.throws(() => parseProfiles("[1]"), { message: /an object of named profiles/ });
  const wrapped = {
    a: {
      clientSecret: {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        value: "s3cret",
      },
    },
  };
  t.deepEqual(parseProfiles(configText(wrapped)), { a: { clientSecret: "s3cret" } });
  t.deepEqual(parseProfiles(undefined), {});
});
