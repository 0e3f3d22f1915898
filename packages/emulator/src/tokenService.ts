/**
 * The emulated Entra ID: authenticates client-credential requests (secret, certificate
 * assertion, federated assertion), issues RS256 access tokens for Defender for Endpoint and for
 * Azure Storage (Azurite), and verifies Defender tokens for the API.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, timingSafeEqual } from "node:crypto";
import type { AppRegistry } from "./appRegistry";
import { publicKeyOf, thumbprintSha1, thumbprintSha256 } from "./certificates";
import type { Clock } from "./clock";
import { EntraErrorFactory } from "./entraErrors";
import { MdeErrorFactory } from "./errors";
import { type DecodedJwt, decodeJwt, JwtError, signJwtRs256, verifyJwtSignature } from "./jwt";
import { audienceOf, STORAGE_AUDIENCE, TOKEN_AUDIENCE } from "./tokenAudience";
import type { AppRegistration } from "./types";

export { ACCEPTED_RESOURCES, TOKEN_AUDIENCE } from "./tokenAudience";

/** Audience Entra requires in a federated (workload identity) assertion. */
export const FEDERATED_AUDIENCE = "api://AzureADTokenExchange";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Tolerated clock difference for assertions, in seconds (Entra allows five minutes). */
const ASSERTION_SKEW_SECONDS = 300;

/** Options of {@link TokenService}. */
export interface TokenServiceOptions {
  registry: AppRegistry;
  clock: Clock;
  /** Access-token lifetime in emulated seconds. */
  tokenLifetimeSeconds: number;
  /**
   * Public key of a federated issuer the emulator itself plays (GitHub Actions), for apps
   * registered without `jwksPem`. Its tokens are dated by the emulated clock, not the client's.
   */
  emulatedIssuerKey?: (issuer: string) => KeyObject | undefined;
}

/** Claims the API reads from a verified access token. */
export interface AccessTokenClaims {
  /** The app, or for a delegated token the client the user signed in with. */
  appid: string;
  tid: string;
  roles: string[];
  exp: number;
  /** Delegated permissions; present only on a user (delegated) token. */
  scp?: string[];
  /** The user's UPN (`upn`, else `unique_name`) on a delegated token. */
  upn?: string;
  oid?: string;
}

/** Deviations a test may ask for when minting a token directly. */
export interface TokenOverrides {
  /** `STORAGE_AUDIENCE` mints a storage token. @default "https://api.securitycenter.microsoft.com" */
  audience?: string;
  /** Emulated seconds; zero or negative mints an already expired token. @default the configured token lifetime */
  lifetimeSeconds?: number;
  /** @default the app's roles; none on a storage token */
  roles?: string[];
}

/** Successful token response body. */
export interface TokenResponse {
  token_type: "Bearer";
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

/** Issues and verifies tokens. */
export class TokenService {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** Key id in token headers and in the JWKS. */
  readonly keyId: string;
  /** Every access token issued, oldest first, so tests can prove none leaks into logs or state. */
  readonly issued: string[] = [];

  constructor(private readonly options: TokenServiceOptions) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.keyId = createHash("sha256")
      .update(pair.publicKey.export({ type: "spki", format: "der" }))
      .digest("base64url")
      .slice(0, 27);
  }

  /**
   * Handles a client-credentials request to `/{tenant}/oauth2/v2.0/token`.
   * @param tokenEndpoint - the URL the request was sent to, which certificate assertions must name as `aud`
   * @throws EntraError
   */
  clientCredentials(
    tenant: string,
    form: URLSearchParams,
    tokenEndpoint: string,
  ): { app: AppRegistration; response: TokenResponse } {
    if (!this.options.registry.hasTenant(tenant)) throw EntraErrorFactory.tenantNotFound(tenant);
    const grantType = form.get("grant_type");
    if (!grantType) throw EntraErrorFactory.missingParameter("grant_type");
    if (grantType !== "client_credentials") throw EntraErrorFactory.unsupportedGrantType(grantType);
    const clientId = form.get("client_id");
    if (!clientId) throw EntraErrorFactory.missingParameter("client_id");
    const app = this.options.registry.find(tenant, clientId);
    if (!app) throw EntraErrorFactory.unknownApplication(clientId, tenant);
    const scope = form.get("scope");
    if (!scope) throw EntraErrorFactory.missingParameter("scope");
    const audience = checkScope(scope);

    const secret = form.get("client_secret");
    const assertion = form.get("client_assertion");
    let appidacr: "1" | "2";
    if (secret !== null) {
      if (!app.clientSecret || !sameSecret(secret, app.clientSecret)) {
        throw EntraErrorFactory.invalidClientSecret(app.clientId);
      }
      appidacr = "1";
    } else if (assertion !== null) {
      if (form.get("client_assertion_type") !== JWT_BEARER) throw EntraErrorFactory.invalidAssertionType();
      this.checkAssertion(app, assertion, tokenEndpoint, tenant);
      appidacr = "2";
    } else {
      throw EntraErrorFactory.missingCredential();
    }
    return { app, response: this.issue(app, appidacr, { audience }) };
  }

  /**
   * Issues an access token for `app` (also used by the managed identity endpoint). A storage
   * token carries no `roles`: an app's storage rights are Azure role assignments, not app roles.
   */
  issue(app: AppRegistration, appidacr: "0" | "1" | "2", overrides: TokenOverrides = {}): TokenResponse {
    const audience = overrides.audience ?? TOKEN_AUDIENCE;
    const nowSeconds = this.issuedAtSeconds(audience);
    const lifetime = this.lifetimeRealSeconds(overrides.lifetimeSeconds);
    const roles = overrides.roles ?? (audience === STORAGE_AUDIENCE ? undefined : app.roles);
    const claims = {
      aud: audience,
      iss: `https://sts.windows.net/${app.tenantId}/`,
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + lifetime,
      aio: randomUUID(),
      app_displayname: app.displayName,
      appid: app.clientId,
      appidacr,
      idp: `https://sts.windows.net/${app.tenantId}/`,
      oid: deterministicGuid(`oid:${app.tenantId}:${app.clientId}`),
      rh: "0.emulated.",
      ...(roles === undefined ? {} : { roles }),
      sub: deterministicGuid(`oid:${app.tenantId}:${app.clientId}`),
      tid: app.tenantId,
      uti: randomUUID().replaceAll("-", "").slice(0, 22),
      ver: "1.0",
    };
    const accessToken = this.sign(claims);
    return {
      token_type: "Bearer",
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    };
  }

  /**
   * `iat`/`nbf` of a token for `audience`, in epoch seconds. Defender tokens are dated by the
   * emulated clock (advanceTime moves them); storage tokens by the real clock, because Azurite
   * refuses a token whose `nbf` is ahead of its own clock, with no skew.
   */
  issuedAtSeconds(audience: string): number {
    return Math.floor((audience === STORAGE_AUDIENCE ? Date.now() : this.options.clock.nowMs()) / 1000);
  }

  /**
   * Real seconds an access token of `emulatedLifetime` lives: rounded up, so a scaled token still
   * lives at least a second; a non-positive lifetime gives a token that is already expired.
   * @default emulatedLifetime the configured token lifetime
   */
  lifetimeRealSeconds(emulatedLifetime: number = this.options.tokenLifetimeSeconds): number {
    return emulatedLifetime <= 0
      ? Math.floor(this.options.clock.realMs(emulatedLifetime) / 1000) - 1
      : Math.max(1, Math.ceil(this.options.clock.realMs(emulatedLifetime) / 1000));
  }

  /** Signs access-token claims with the emulator's key and records the token as issued. */
  sign(claims: Record<string, unknown>): string {
    const accessToken = signJwtRs256(claims, this.privateKey, { kid: this.keyId, x5t: this.keyId });
    this.issued.push(accessToken);
    return accessToken;
  }

  /**
   * Verifies a bearer token sent to the API.
   * @throws MdeError 401
   */
  verify(token: string): AccessTokenClaims {
    let jwt: DecodedJwt;
    try {
      jwt = decodeJwt(token);
      verifyJwtSignature(jwt, this.publicKey);
    } catch (error) {
      if (error instanceof JwtError) throw MdeErrorFactory.invalidToken(error.message);
      throw error;
    }
    const { aud, exp, appid, tid, roles, iss, scp, upn, unique_name, oid } = jwt.payload;
    if (aud !== TOKEN_AUDIENCE && aud !== "https://api.security.microsoft.com") {
      throw MdeErrorFactory.invalidToken(`audience ${String(aud)} is not accepted`);
    }
    if (typeof tid !== "string" || iss !== `https://sts.windows.net/${tid}/`) {
      throw MdeErrorFactory.invalidToken("issuer is not accepted");
    }
    if (typeof exp !== "number" || exp * 1000 <= this.options.clock.nowMs()) {
      throw MdeErrorFactory.invalidToken("the token is expired");
    }
    if (typeof appid !== "string") throw MdeErrorFactory.invalidToken("appid claim missing");
    const claims: AccessTokenClaims = {
      appid,
      tid,
      exp,
      roles: Array.isArray(roles) ? roles.filter((r) => typeof r === "string") : [],
    };
    // A delegated token carries `scp` (space-separated) instead of `roles`, as Entra issues it.
    if (typeof scp === "string") claims.scp = scp.split(" ").filter((s) => s.length > 0);
    const userName = typeof upn === "string" ? upn : unique_name;
    if (typeof userName === "string") claims.upn = userName;
    if (typeof oid === "string") claims.oid = oid;
    return claims;
  }

  /** JSON Web Key Set of the token signing key, for the discovery document. */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: "jwk" });
    return { keys: [{ kty: "RSA", use: "sig", kid: this.keyId, x5t: this.keyId, n: jwk.n, e: jwk.e }] };
  }

  private checkAssertion(
    app: AppRegistration,
    assertion: string,
    tokenEndpoint: string,
    tenant: string,
  ): void {
    let jwt: DecodedJwt;
    try {
      jwt = decodeJwt(assertion);
    } catch {
      throw EntraErrorFactory.malformedAssertion("client_assertion is not a JWT.");
    }
    const { iss, sub } = jwt.payload;
    if (iss === app.clientId || sub === app.clientId || iss === undefined) {
      this.checkCertificateAssertion(app, jwt, tokenEndpoint, tenant);
    } else {
      this.checkFederatedAssertion(app, jwt);
    }
  }

  private checkCertificateAssertion(
    app: AppRegistration,
    jwt: DecodedJwt,
    tokenEndpoint: string,
    tenant: string,
  ): void {
    const { iss, sub, aud } = jwt.payload;
    if (iss !== app.clientId || sub !== app.clientId) throw EntraErrorFactory.assertionSubject(app.clientId);
    if (!app.certificatePem) {
      throw EntraErrorFactory.assertionSignature(app.clientId, "No certificate is registered for the app.");
    }
    const x5tS256 = jwt.header["x5t#S256"];
    const x5t = jwt.header.x5t;
    const matches =
      (typeof x5tS256 === "string" && x5tS256 === hexToBase64Url(thumbprintSha256(app.certificatePem))) ||
      (typeof x5t === "string" && x5t === hexToBase64Url(thumbprintSha1(app.certificatePem)));
    if (!matches) {
      throw EntraErrorFactory.assertionSignature(
        app.clientId,
        "The key was not found: the x5t#S256 (or x5t) header does not match a registered certificate.",
      );
    }
    verifyAssertionSignature(app, jwt, publicKeyOf(app.certificatePem));
    const origin = new URL(tokenEndpoint).origin;
    const accepted = [tokenEndpoint, `${origin}/${tenant}/v2.0`, `${origin}/${tenant}/oauth2/token`].map(
      normalizeUrl,
    );
    if (typeof aud !== "string" || !accepted.includes(normalizeUrl(aud))) {
      throw EntraErrorFactory.malformedAssertion(`The audience '${String(aud)}' is not the token endpoint.`);
    }
    checkAssertionTimes(jwt);
  }

  private checkFederatedAssertion(app: AppRegistration, jwt: DecodedJwt): void {
    const { iss, sub, aud } = jwt.payload;
    const federated = app.federated;
    if (!federated || iss !== federated.issuer) throw EntraErrorFactory.federatedIssuer(String(iss));
    const emulatedKey = federated.jwksPem ? undefined : this.options.emulatedIssuerKey?.(federated.issuer);
    if (!federated.jwksPem && !emulatedKey) {
      throw EntraErrorFactory.assertionSignature(app.clientId, `No signing key is known for issuer ${iss}.`);
    }
    verifyAssertionSignature(app, jwt, emulatedKey ?? publicKeyOf(federated.jwksPem ?? ""));
    if (sub !== federated.subject) throw EntraErrorFactory.federatedSubject(String(sub));
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(FEDERATED_AUDIENCE)) throw EntraErrorFactory.federatedAudience(String(aud));
    // Tokens of an issuer the emulator plays are dated by its clock (advanceTime moves them);
    // everyone else's by their real clock.
    if (emulatedKey) {
      checkAssertionTimes(
        jwt,
        this.options.clock.nowMs() / 1000,
        this.options.clock.realMs(ASSERTION_SKEW_SECONDS) / 1000,
      );
    } else {
      checkAssertionTimes(jwt);
    }
  }
}

function verifyAssertionSignature(app: AppRegistration, jwt: DecodedJwt, key: KeyObject): void {
  try {
    verifyJwtSignature(jwt, key);
  } catch (error) {
    if (error instanceof JwtError) throw EntraErrorFactory.assertionSignature(app.clientId, error.message);
    throw error;
  }
}

/** Assertions are the client's, dated by its real clock: checked against real time, with skew. */
function checkAssertionTimes(
  jwt: DecodedJwt,
  now: number = Date.now() / 1000,
  skewSeconds: number = ASSERTION_SKEW_SECONDS,
): void {
  const { exp, nbf } = jwt.payload;
  if (typeof exp !== "number" || exp + skewSeconds < now) throw EntraErrorFactory.assertionExpired();
  if (typeof nbf === "number" && nbf - skewSeconds > now) throw EntraErrorFactory.assertionExpired();
}

/**
 * Accepts exactly one `<resource>/.default` scope for Defender for Endpoint or Azure Storage (plus
 * OIDC extras) and returns the audience of its token.
 */
function checkScope(scope: string): string {
  const scopes = scope.split(" ").filter((s) => s && !["openid", "profile", "offline_access"].includes(s));
  const [only] = scopes;
  if (scopes.length !== 1 || only === undefined || !only.endsWith("/.default")) {
    throw EntraErrorFactory.invalidScope(scope);
  }
  const resource = only.slice(0, -"/.default".length).replace(/\/$/, "");
  const audience = audienceOf(resource);
  if (audience === undefined) throw EntraErrorFactory.invalidResource(resource);
  return audience;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hexToBase64Url(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64url");
}

function normalizeUrl(url: string): string {
  return url.toLowerCase().replace(/\/+$/, "");
}

/** A GUID derived from a seed, so the same app always gets the same object id. */
export function deterministicGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
