/**
 * Reading `az account get-access-token --output json` and explaining the CLI's failures, without an `az`.
 */
import test from "ava";
import { azureCliFailure, parseAzureCliOutput } from "../../src/auth/azureCliOutput";
import { DefenderError } from "../../src/core/errors";
import { redact } from "../../src/core/redact";

const RESOURCE = "https://api.securitycenter.microsoft.com";
const TENANT = "11111111-2222-3333-4444-555555555555";

function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg`;
}

test("expires_on (epoch seconds, as Azure CLI 2.54+ prints) wins over expiresOn", (t) => {
  const token = jwt({ scp: "Machine.CollectForensics", exp: 1 });
  const out = parseAzureCliOutput(
    JSON.stringify({
      accessToken: token,
      expiresOn: "2001-01-01 00:00:00.000000",
      expires_on: 1_900_000_000,
      tenant: TENANT,
      tokenType: "Bearer",
    }),
  );
  t.is(out.token, token);
  t.is(out.expiresOnMs, 1_900_000_000_000);
});

test("expires_on as a numeric string is read too", (t) => {
  const out = parseAzureCliOutput(
    JSON.stringify({ accessToken: "opaque-token-1", expires_on: "1900000000" }),
  );
  t.is(out.expiresOnMs, 1_900_000_000_000);
});

test("older CLIs: expiresOn is local time with microseconds", (t) => {
  const out = parseAzureCliOutput(
    JSON.stringify({ accessToken: "opaque-token-2", expiresOn: "2031-05-06 07:08:09.123456" }),
  );
  t.is(out.expiresOnMs, new Date(2031, 4, 6, 7, 8, 9, 123).getTime());
  const noFraction = parseAzureCliOutput(
    JSON.stringify({ accessToken: "opaque-token-3", expiresOn: "2031-05-06 07:08:09" }),
  );
  t.is(noFraction.expiresOnMs, new Date(2031, 4, 6, 7, 8, 9).getTime());
});

test("without expiry fields the token's exp claim is used; without any expiry it is refused", (t) => {
  const token = jwt({ exp: 1_900_000_123 });
  t.is(parseAzureCliOutput(JSON.stringify({ accessToken: token })).expiresOnMs, 1_900_000_123_000);
  const e = t.throws(() => parseAzureCliOutput(JSON.stringify({ accessToken: "opaque-token-4" })), {
    instanceOf: DefenderError,
  }) as DefenderError;
  t.is(e.code, "MDE_AUTH_FAILED");
  t.regex(e.message, /no readable expiry/);
});

test("the token is registered for redaction as soon as it is read", (t) => {
  const token = "opaque-cli-token-never-printed-0123456789";
  parseAzureCliOutput(JSON.stringify({ accessToken: token, expires_on: 1_900_000_000 }));
  t.is(redact(`sent ${token}`), "sent REDACTED");
});

test("output that is not the CLI's JSON is refused without quoting it", (t) => {
  const secretish = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.not-json-but-a-token";
  for (const stdout of [secretish, "", "[]", JSON.stringify({ accessToken: "" })]) {
    const e = t.throws(() => parseAzureCliOutput(stdout), { instanceOf: DefenderError }) as DefenderError;
    t.is(e.code, "MDE_AUTH_FAILED");
    t.is(e.details?.reason, "badOutput");
    t.false(e.message.includes(secretish));
    t.false(e.message.includes("eyJ"));
  }
});

test("az missing (ENOENT): install the Azure CLI, then az login --tenant", (t) => {
  const e = azureCliFailure({ errno: "ENOENT", resource: RESOURCE, tenantId: TENANT, platform: "linux" });
  t.is(e.code, "MDE_AUTH_FAILED");
  t.is(e.details?.reason, "notFound");
  t.is(e.status, undefined, "no status: the retry loop does not repeat it");
  t.regex(e.message, /The Azure CLI \(`az`\) was not found on the PATH/);
  t.regex(
    e.message,
    /Install the Azure CLI \(https:\/\/learn\.microsoft\.com\/cli\/azure\/install-azure-cli\)/,
  );
  t.regex(e.message, new RegExp(`az login --tenant ${TENANT}`));
  t.regex(e.message, /mde:useAzureCli/);
});

test("az missing on Windows says why (az.cmd needs a shell) and what to do instead", (t) => {
  const e = azureCliFailure({ errno: "ENOENT", resource: RESOURCE, platform: "win32" });
  t.regex(e.message, /not supported on Windows yet/);
  t.regex(e.message, /WSL/);
});

test("not signed in (stderr mentions az login): run az login --tenant <t>, quoting the CLI", (t) => {
  const e = azureCliFailure({
    exitCode: 1,
    stderr: "ERROR: Please run 'az login' to setup account.\n",
    resource: RESOURCE,
    tenantId: TENANT,
  });
  t.is(e.details?.reason, "notSignedIn");
  t.regex(e.message, new RegExp(`Run \`az login --tenant ${TENANT}\``));
  t.regex(e.message, /The Azure CLI said: ERROR: Please run 'az login' to setup account\./);
});

test("an expired sign-in (AADSTS700082) counts as not signed in; without a tenant, plain az login", (t) => {
  const e = azureCliFailure({
    exitCode: 1,
    stderr:
      "WARNING: something unrelated\nERROR: AADSTS700082: The refresh token has expired due to inactivity.\n",
    resource: RESOURCE,
  });
  t.is(e.details?.reason, "notSignedIn");
  t.regex(e.message, /Run `az login`/);
  t.notRegex(e.message, /WARNING/);
});

test("other failures name the command to try by hand; tokens in stderr are redacted", (t) => {
  const leaked = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl";
  const e = azureCliFailure({
    exitCode: 2,
    stderr: `ERROR: something odd happened with ${leaked}`,
    resource: RESOURCE,
    tenantId: TENANT,
  });
  t.is(e.details?.reason, "failed");
  t.regex(e.message, /exit code 2/);
  t.regex(e.message, new RegExp(`az account get-access-token --resource ${RESOURCE} --tenant ${TENANT}`));
  t.false(e.message.includes(leaked));
});

test("timeout and unknown resource have their own messages", (t) => {
  const slow = azureCliFailure({ timedOut: true, timeoutMs: 30_000, resource: RESOURCE });
  t.is(slow.details?.reason, "timeout");
  t.regex(slow.message, /did not answer .* within 30 s/);
  const unknown = azureCliFailure({
    exitCode: 1,
    stderr:
      "ERROR: AADSTS500011: The resource principal named https://api.securitycenter.microsoft.com was not found",
    resource: RESOURCE,
  });
  t.is(unknown.apiCode, "AADSTS500011");
  t.regex(unknown.message, /check mde:cloud/);
});
