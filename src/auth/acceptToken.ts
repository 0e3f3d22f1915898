/**
 * The checks a token passes before it is used: it belongs to the configured tenant and is meant for the
 * Defender API. A signed-in user's CLI can hand out a token of another tenant (`az` signed in elsewhere, a
 * wrapper script) and the deployment would then collect as that tenant's user without a word; a token for
 * another audience is refused by Defender with a 401 whose usual fixes (app credentials) do not apply.
 * Claims are read, not verified: this keeps us from using a wrong token, it does not make one trusted.
 */
import { DefenderError } from "../core/errors";
import { jwtClaims } from "../core/jwtClaims";

/** Application id of WindowsDefenderATP, the Defender for Endpoint API, in every cloud. */
const DEFENDER_APP_ID = "fc780465-2017-40d4-a0c5-307022471b92";
/** The Microsoft 365 Defender API, whose tokens the Defender for Endpoint API accepts too. */
const M365_DEFENDER_RESOURCE = "https://api.security.microsoft.com";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who asks, to say what to run. */
export type TokenSourceKind = "azureCli" | "githubOidc";

/** What a token is checked against. */
export interface TokenExpectation {
  /** The credential the token came from, for the fix named in messages. */
  kind: TokenSourceKind;
  /** `mde:tenantId`. Compared only when it is a GUID: a domain name is not in the token. */
  tenantId?: string;
  /** The Defender API resource of the configured cloud (its scope without `/.default`). */
  resource: string;
}

const normalize = (value: string) => value.trim().toLowerCase().replace(/\/+$/, "");

/** Whether a token for audience `aud` is meant for the Defender API of `resource`. */
function fitsAudience(aud: unknown, resource: string): boolean {
  const audiences = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === "string");
  const accepted = new Set([normalize(resource), M365_DEFENDER_RESOURCE, DEFENDER_APP_ID]);
  return audiences.some((a) => accepted.has(normalize(a)));
}

/**
 * Refuses a token of another tenant or for another audience. Opaque tokens and tokens without the claim
 * pass: what cannot be read cannot be judged, and Defender still checks them.
 * @throws DefenderError `MDE_AUTH_FAILED` with `details.reason` `wrongTenant` (naming both tenants) or
 *   `wrongAudience`; the token itself is never quoted.
 */
export function acceptToken(token: string, expected: TokenExpectation): void {
  const claims = jwtClaims(token);
  if (!claims) return;
  const tid = typeof claims.tid === "string" ? claims.tid : undefined;
  const configured = expected.tenantId;
  if (tid && configured && GUID.test(configured) && tid.toLowerCase() !== configured.toLowerCase()) {
    // The claim is outside text: shown only when it has the shape of a tenant id.
    const shown = GUID.test(tid) ? tid : "(not a tenant id)";
    const fix =
      expected.kind === "azureCli"
        ? `Sign in to the Defender tenant with \`az login --tenant ${configured}\` (or correct mde:tenantId if ` +
          `${shown} is the tenant you mean), then run again.`
        : `Check mde:tenantId and mde:authorityHost: the token must be issued by the tenant ${configured}.`;
    throw new DefenderError(
      "MDE_AUTH_FAILED",
      `The ${expected.kind === "azureCli" ? "Azure CLI" : "GitHub Actions OIDC credential"} gave a token of ` +
        `tenant ${shown}, but mde:tenantId is ${configured}. It was not used: it would act in another tenant. ${fix}`,
      { operation: "token", details: { reason: "wrongTenant", tokenTenantId: shown, tenantId: configured } },
    );
  }
  if (claims.aud !== undefined && !fitsAudience(claims.aud, expected.resource)) {
    const audience =
      typeof claims.aud === "string" && /^[\w.:/-]{1,120}$/.test(claims.aud) ? claims.aud : "another API";
    const tenant = configured ? ` --tenant ${configured}` : "";
    const fix =
      expected.kind === "azureCli"
        ? `Sign in again for the Defender API with \`az login --scope ${expected.resource}/.default${tenant}\`, ` +
          "then run again."
        : "Check mde:cloud: the token must be requested for the Defender API scope of that cloud.";
    throw new DefenderError(
      "MDE_AUTH_FAILED",
      `The token is for ${audience}, not for the Defender API (${expected.resource}), so Defender would refuse ` +
        `it. ${fix}`,
      { operation: "token", details: { reason: "wrongAudience" } },
    );
  }
}
