/**
 * Delegated (user) access tokens: the claims Entra puts in a v1 token for a user signed in with
 * the Azure CLI (`scp`, `upn`, `unique_name`, `oid`, no `roles`), and the password grant (ROPC)
 * a stand-in `az` can use to get one, for Defender or for Azure Storage (`az account
 * get-access-token --resource https://storage.azure.com`).
 *
 * Mirror: the library (src/core/jwtClaims.ts) reads `tid`, `appid` and `exp` of a pre-obtained
 * token and tells a user's token by `scp` without `roles`; keep the claim names in step.
 */
import { randomUUID } from "node:crypto";
import type { AppRegistry } from "./appRegistry";
import type { Clock } from "./clock";
import { EntraErrorFactory } from "./entraErrors";
import type { IssueUserTokenOptions, UserRegistration } from "./identityTypes";
import { audienceOf, STORAGE_AUDIENCE, STORAGE_USER_SCOPES, TOKEN_AUDIENCE } from "./tokenAudience";
import { deterministicGuid, type TokenService } from "./tokenService";
import { AZURE_CLI_CLIENT_ID, type UserRegistry } from "./userRegistry";

/** What issuing user tokens needs. */
export interface UserTokenDeps {
  tokens: TokenService;
  clock: Clock;
  users: UserRegistry;
  registry: AppRegistry;
}

/** Successful password-grant response body (v2 endpoint shape). */
export interface UserTokenResponse {
  token_type: "Bearer";
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  id_token?: string;
  client_info?: string;
}

/** Tenants in the path that let Entra find the user's home tenant from the UPN. */
const MULTI_TENANT_PATHS = new Set(["organizations", "common"]);

/**
 * Mints a delegated access token for `user`; for `STORAGE_AUDIENCE` its `scp` defaults to
 * `user_impersonation`, the permission the Azure CLI holds for Azure Storage.
 */
export function issueUserToken(
  deps: Pick<UserTokenDeps, "tokens" | "clock">,
  user: UserRegistration,
  options: Omit<IssueUserTokenOptions, "upn"> = {},
): { accessToken: string; expiresInSeconds: number; scopes: readonly string[] } {
  const audience = options.audience ?? TOKEN_AUDIENCE;
  const nowSeconds = deps.tokens.issuedAtSeconds(audience);
  const lifetime = deps.tokens.lifetimeRealSeconds(options.lifetimeSeconds);
  const scopes = options.scopes ?? (audience === STORAGE_AUDIENCE ? STORAGE_USER_SCOPES : user.scopes);
  const clientId = options.clientId ?? AZURE_CLI_CLIENT_ID;
  const [given = user.displayName, family = ""] = user.displayName.split(" ");
  const accessToken = deps.tokens.sign({
    aud: audience,
    iss: `https://sts.windows.net/${user.tenantId}/`,
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + lifetime,
    acr: "1",
    aio: randomUUID(),
    amr: ["pwd"],
    appid: clientId,
    appidacr: "0",
    family_name: family,
    given_name: given,
    ipaddr: "127.0.0.1",
    name: user.displayName,
    oid: user.objectId,
    rh: "0.emulated.",
    scp: scopes.join(" "),
    sub: deterministicGuid(`sub:${user.objectId}:${clientId}`),
    tid: user.tenantId,
    unique_name: user.upn,
    upn: user.upn,
    uti: randomUUID().replaceAll("-", "").slice(0, 22),
    ver: "1.0",
  });
  return { accessToken, expiresInSeconds: lifetime, scopes };
}

/**
 * Handles `grant_type=password` at `/{tenant}/oauth2/v2.0/token` for a registered user and the
 * Azure CLI (or a registered app) as public client.
 * @throws EntraError
 */
export function passwordGrant(
  deps: UserTokenDeps,
  tenant: string,
  form: URLSearchParams,
): { user: UserRegistration; response: UserTokenResponse } {
  const tenantKnown =
    MULTI_TENANT_PATHS.has(tenant.toLowerCase()) ||
    deps.users.hasTenant(tenant) ||
    deps.registry.hasTenant(tenant);
  if (!tenantKnown) throw EntraErrorFactory.tenantNotFound(tenant);
  const clientId = form.get("client_id");
  if (!clientId) throw EntraErrorFactory.missingParameter("client_id");
  const username = form.get("username");
  if (!username) throw EntraErrorFactory.missingParameter("username");
  const password = form.get("password");
  if (password === null) throw EntraErrorFactory.missingParameter("password");
  const scope = form.get("scope");
  if (!scope) throw EntraErrorFactory.missingParameter("scope");

  const user = deps.users.find(username);
  const home = MULTI_TENANT_PATHS.has(tenant.toLowerCase()) ? user?.tenantId : tenant.toLowerCase();
  if (!user || user.tenantId !== home) throw EntraErrorFactory.userNotFound(tenant);
  const knownClient =
    clientId.toLowerCase() === AZURE_CLI_CLIENT_ID ||
    deps.registry.find(user.tenantId, clientId) !== undefined;
  if (!knownClient) throw EntraErrorFactory.unknownApplication(clientId, tenant);
  if (password !== user.password) throw EntraErrorFactory.invalidUserCredentials();

  const { resource, audience, requested, oidc } = parseDelegatedScope(scope);
  const consented = audience === STORAGE_AUDIENCE ? STORAGE_USER_SCOPES : user.scopes;
  // `/.default` asks for everything consented; named scopes must all have been consented.
  for (const wanted of requested) {
    if (!consented.includes(wanted))
      throw EntraErrorFactory.consentRequired(clientId, `${resource}/${wanted}`);
  }
  const scopes = requested.length > 0 ? requested : consented;
  const issued = issueUserToken(deps, user, {
    scopes: [...scopes],
    clientId: clientId.toLowerCase(),
    audience,
  });
  const response: UserTokenResponse = {
    token_type: "Bearer",
    scope: [...scopes.map((s) => `${resource}/${s}`), ...oidc].join(" "),
    expires_in: issued.expiresInSeconds,
    ext_expires_in: issued.expiresInSeconds,
    access_token: issued.accessToken,
  };
  if (oidc.includes("openid")) {
    // MSAL builds its account from these; it decodes the ID token without verifying it.
    response.client_info = Buffer.from(JSON.stringify({ uid: user.objectId, utid: user.tenantId })).toString(
      "base64url",
    );
    response.id_token = unsignedIdToken(deps, user, clientId.toLowerCase());
  }
  return { user, response };
}

/**
 * Splits a delegated scope string: one resource (Defender or Azure Storage), either `/.default`
 * or named delegated permissions, plus OIDC scopes; and the audience of its token.
 * @throws EntraError invalid_scope / invalid_resource
 */
function parseDelegatedScope(scope: string): {
  resource: string;
  audience: string;
  requested: string[];
  oidc: string[];
} {
  const parts = scope.split(" ").filter((s) => s.length > 0);
  const oidc = parts.filter((s) => ["openid", "profile", "offline_access"].includes(s));
  const resourceScopes = parts.filter((s) => !oidc.includes(s));
  let resource: string | undefined;
  const requested: string[] = [];
  for (const item of resourceScopes) {
    const slash = item.lastIndexOf("/");
    if (slash <= 0) throw EntraErrorFactory.invalidScope(scope);
    const itemResource = item.slice(0, slash).replace(/\/$/, "");
    if (audienceOf(itemResource) === undefined) throw EntraErrorFactory.invalidResource(itemResource);
    if (resource !== undefined && resource.toLowerCase() !== itemResource.toLowerCase()) {
      throw EntraErrorFactory.invalidScope(scope);
    }
    resource = itemResource;
    const name = item.slice(slash + 1);
    if (name !== ".default") requested.push(name);
  }
  if (resource === undefined) throw EntraErrorFactory.invalidScope(scope);
  return { resource, audience: audienceOf(resource) ?? TOKEN_AUDIENCE, requested, oidc };
}

function unsignedIdToken(
  deps: Pick<UserTokenDeps, "clock">,
  user: UserRegistration,
  clientId: string,
): string {
  const now = Math.floor(deps.clock.nowMs() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const claims = {
    aud: clientId,
    iss: `https://login.microsoftonline.com/${user.tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    name: user.displayName,
    oid: user.objectId,
    preferred_username: user.upn,
    sub: deterministicGuid(`sub:${user.objectId}:${clientId}`),
    tid: user.tenantId,
    ver: "2.0",
  };
  return `${part({ typ: "JWT", alg: "none" })}.${part(claims)}.`;
}
