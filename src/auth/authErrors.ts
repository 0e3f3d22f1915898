/**
 * Maps MSAL failures to `MDE_AUTH_FAILED` with the AADSTS code and a fix. MSAL messages can quote
 * request details, so every message passes through redaction (DefenderError does it).
 */
import { DefenderError } from "../core/errors";
import { quoteOutside } from "../core/redact";

/** Fix hints for the AADSTS codes users meet most, keyed by the number. */
export const AADSTS_HINTS: Readonly<Record<string, string>> = {
  "7000215":
    "The client secret is wrong: check mde:clientSecret / AZURE_CLIENT_SECRET (use the secret's value, not its id).",
  "7000222":
    "The client secret has expired: create a new one in the app registration and update mde:clientSecret.",
  "700016":
    "The application was not found in the tenant: check mde:clientId and mde:tenantId (and admin consent in that tenant).",
  "90002": "The tenant was not found: check mde:tenantId and mde:cloud / mde:authorityHost.",
  "900023": "The tenant id is malformed: mde:tenantId must be a GUID or a verified domain.",
  "700027":
    "The client assertion signature is invalid: upload this certificate (public part) to the app registration, or check the key matches.",
  "700024":
    "The client assertion is outside its validity window: the federated token file holds an expired token; check it is refreshed.",
  "70021":
    "No federated credential matches the assertion: check the issuer, subject and audience of the app's federated credential.",
  "700211": "The assertion's issuer is not trusted by any federated credential of the application.",
  "700213":
    "The assertion's subject matches no federated credential of the application: add one for the subject the token names. A GitHub Actions job that declares an environment is named by it (entity Environment, subject repo:<org>/<repo>:environment:<name>), not by its branch.",
  "500011":
    "The Defender API (WindowsDefenderATP) is not known in this tenant or cloud: check mde:cloud and that Defender for Endpoint is provisioned.",
  "501051":
    "The application has no permission for the requested scope: grant the WindowsDefenderATP application permissions.",
  "50049": "The authority is unknown or invalid: check mde:authorityHost and mde:tenantId.",
  "700003": "The device or application object was not found in the tenant.",
};

/** Fix hints for OAuth error codes when no AADSTS code is present. */
const OAUTH_HINTS: Readonly<Record<string, string>> = {
  invalid_client: "Check the client id and its credential (secret, certificate or federated token).",
  unauthorized_client: "The application may not use the client credentials flow in this tenant.",
  invalid_scope: "The scope was rejected: check mde:cloud (sovereign clouds use their own Defender scope).",
  invalid_request: "The token request was malformed: check mde:tenantId and mde:authorityHost.",
  authority_uri_insecure: "mde:authorityHost must use https://.",
  url_parse_error: "mde:authorityHost or mde:tenantId do not form a valid URL.",
  endpoints_resolution_error:
    "The authority's metadata could not be fetched: check mde:authorityHost and the network.",
};

/**
 * Wraps an MSAL error into `MDE_AUTH_FAILED`, quoting the AADSTS code and a fix. A network failure
 * recorded by our MSAL network module is returned instead, since it says more than MSAL's wrapper.
 */
export function authError(error: unknown, what: string, networkFailure?: DefenderError): DefenderError {
  if (error instanceof DefenderError) return error;
  if (networkFailure) {
    return new DefenderError(
      networkFailure.code,
      `Obtaining an access token (${what}) failed: ${networkFailure.message}`,
      {
        ...(networkFailure.delivery ? { delivery: networkFailure.delivery } : {}),
        ...(networkFailure.status !== undefined ? { status: networkFailure.status } : {}),
        ...(networkFailure.retryAfterMs !== undefined ? { retryAfterMs: networkFailure.retryAfterMs } : {}),
        operation: "token",
        cause: networkFailure,
      },
    );
  }
  const e = (error ?? {}) as {
    errorCode?: unknown;
    errorMessage?: unknown;
    message?: unknown;
    correlationId?: unknown;
  };
  const errorCode = typeof e.errorCode === "string" ? e.errorCode : undefined;
  const text =
    typeof e.errorMessage === "string" && e.errorMessage
      ? e.errorMessage
      : typeof e.message === "string"
        ? e.message
        : String(error);
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
  // MSAL wraps the AADSTS description in "Error(s): ... - Timestamp: ... - Description: AADSTS...: <text> Trace ID:
  // ...": keep only the description, which is the part that says what is wrong.
  const description = aadsts
    ? (new RegExp(
        `AADSTS${aadsts}:\\s*([\\s\\S]*?)(?:\\s*Trace ID:|\\s*Correlation ID:|\\s*Timestamp:|$)`,
      ).exec(text)?.[1] ?? "")
    : text;
  // The token endpoint's words: one sanitised line, never a token or a fragment of one.
  const firstLine = quoteOutside(description);
  const hint =
    (aadsts ? AADSTS_HINTS[aadsts] : undefined) ??
    (errorCode ? OAUTH_HINTS[errorCode] : undefined) ??
    "Check mde:tenantId, mde:clientId and the credential.";
  const codePart = aadsts ? `AADSTS${aadsts}` : (errorCode ?? "error");
  return new DefenderError(
    "MDE_AUTH_FAILED",
    `Obtaining an access token (${what}) failed with ${codePart}: ${firstLine} ${hint}`,
    {
      operation: "token",
      ...(aadsts ? { apiCode: `AADSTS${aadsts}` } : errorCode ? { apiCode: errorCode } : {}),
      ...(typeof e.correlationId === "string" && e.correlationId ? { correlationId: e.correlationId } : {}),
      // No `cause`: MSAL errors carry request details we do not control, and causes get printed.
    },
  );
}
