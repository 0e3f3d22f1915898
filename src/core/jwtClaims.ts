/**
 * Reads claims of a JWT without verifying it: which application and tenant a pasted token belongs to,
 * and when it expires. Never used to trust a token, only to key caches and to explain failures.
 */

/** The payload of a JWT, or undefined when it is not one. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    return claims !== null && typeof claims === "object" ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `tid` and `appid`/`azp` of a token, for the fingerprint only. */
export function tokenIdentity(token: string): { tenantId?: string; clientId?: string } {
  const claims = jwtClaims(token);
  if (!claims) return {};
  const out: { tenantId?: string; clientId?: string } = {};
  if (typeof claims.tid === "string") out.tenantId = claims.tid;
  const app = claims.appid ?? claims.azp;
  if (typeof app === "string") out.clientId = app;
  return out;
}

/** Expiry (`exp`) of a token in epoch milliseconds, when it has one. */
export function jwtExpiryMs(token: string): number | undefined {
  const exp = jwtClaims(token)?.exp;
  return typeof exp === "number" ? exp * 1000 : undefined;
}

/** True when the token is a signed-in user's (delegated: `scp`, no `roles`). */
export function isDelegatedToken(token: string): boolean {
  const claims = jwtClaims(token);
  return claims !== undefined && typeof claims.scp === "string" && claims.roles === undefined;
}
