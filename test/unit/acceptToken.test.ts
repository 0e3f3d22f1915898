/**
 * The checks a delegated or OIDC token passes before use: the configured tenant and the Defender API as
 * audience. A wrong tenant names both tenants; a wrong audience says to sign in again for the Defender
 * API, not to check application credentials; the token is never quoted.
 */
import test from "ava";
import { acceptToken } from "../../src/auth/acceptToken";
import { DefenderError } from "../../src/core/errors";

const RESOURCE = "https://api.securitycenter.microsoft.com";
const TENANT = "11111111-2222-3333-4444-555555555555";
const OTHER = "99999999-8888-7777-6666-555555555555";

function token(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1ub3QtY2hlY2tlZA`;
}

test("a token of the configured tenant for the Defender API passes", (t) => {
  t.notThrows(() =>
    acceptToken(token({ tid: TENANT, aud: RESOURCE }), {
      kind: "azureCli",
      tenantId: TENANT,
      resource: RESOURCE,
    }),
  );
  t.notThrows(() =>
    acceptToken(token({ tid: TENANT.toUpperCase(), aud: `${RESOURCE}/` }), {
      kind: "githubOidc",
      tenantId: TENANT,
      resource: RESOURCE,
    }),
  );
  t.notThrows(() =>
    acceptToken(token({ tid: TENANT, aud: "fc780465-2017-40d4-a0c5-307022471b92" }), {
      kind: "azureCli",
      tenantId: TENANT,
      resource: RESOURCE,
    }),
  );
  t.notThrows(() =>
    acceptToken("opaque-token-value", { kind: "azureCli", tenantId: TENANT, resource: RESOURCE }),
  );
  // A domain as mde:tenantId cannot be compared with the token's tenant id.
  t.notThrows(() =>
    acceptToken(token({ tid: OTHER, aud: RESOURCE }), {
      kind: "azureCli",
      tenantId: "contoso.onmicrosoft.com",
      resource: RESOURCE,
    }),
  );
});

test("another tenant: MDE_AUTH_FAILED naming both tenants and az login --tenant, not the token", (t) => {
  const jwt = token({ tid: OTHER, aud: RESOURCE, upn: "someone@fabrikam.example" });
  const e = t.throws(() => acceptToken(jwt, { kind: "azureCli", tenantId: TENANT, resource: RESOURCE }), {
    instanceOf: DefenderError,
  }) as DefenderError;
  t.is(e.code, "MDE_AUTH_FAILED");
  t.is(e.details?.reason, "wrongTenant");
  t.regex(e.message, new RegExp(`tenant ${OTHER}, but mde:tenantId is ${TENANT}`));
  t.regex(e.message, new RegExp(`az login --tenant ${TENANT}`));
  t.false(e.message.includes(jwt.split(".")[1]!.slice(0, 16)));
  const oidc = t.throws(() =>
    acceptToken(jwt, { kind: "githubOidc", tenantId: TENANT, resource: RESOURCE }),
  ) as DefenderError;
  t.is(oidc.details?.reason, "wrongTenant");
  t.regex(oidc.message, /GitHub Actions OIDC credential/);
});

test("another audience: sign in again with az login --scope, not the application's credentials", (t) => {
  const jwt = token({ tid: TENANT, aud: "https://management.azure.com" });
  const e = t.throws(() =>
    acceptToken(jwt, { kind: "azureCli", tenantId: TENANT, resource: RESOURCE }),
  ) as DefenderError;
  t.is(e.code, "MDE_AUTH_FAILED");
  t.is(e.details?.reason, "wrongAudience");
  t.regex(e.message, /https:\/\/management\.azure\.com/);
  t.regex(e.message, new RegExp(`az login --scope ${RESOURCE}/\\.default --tenant ${TENANT}`));
  t.notRegex(e.message, /mde:clientSecret|mde:clientId|admin consent/);
});
