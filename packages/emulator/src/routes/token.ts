/**
 * Entra ID endpoints: the token endpoint (client credentials for apps, the password grant for
 * registered users) and the OpenID discovery documents.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { EntraError, EntraErrorFactory } from "../entraErrors";
import { entraErrorResult, type HandlerResult, jsonResult } from "../http";
import { passwordGrant } from "../userTokens";

const NO_STORE = { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" };

/** `POST /{tenant}/oauth2/v2.0/token`. */
export function handleToken(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const tenant = req.params.tenant ?? "";
  const form = new URLSearchParams(req.body.toString("utf8"));
  const clientId = form.get("client_id");
  if (clientId) req.call.identify(clientId.toLowerCase(), tenant.toLowerCase());
  const contentType = String(req.headers["content-type"] ?? "");
  try {
    if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      throw EntraErrorFactory.missingParameter("grant_type");
    }
    if (form.get("grant_type") === "password") {
      const { user, response } = passwordGrant(ctx, tenant, form);
      req.call.identify((clientId ?? "").toLowerCase(), user.tenantId);
      return jsonResult(200, response, NO_STORE);
    }
    const tokenEndpoint = `${ctx.origin}/${tenant}/oauth2/v2.0/token`;
    const { app, response } = ctx.tokens.clientCredentials(tenant, form, tokenEndpoint);
    req.call.identify(app.clientId, app.tenantId);
    return jsonResult(200, response, NO_STORE);
  } catch (error) {
    if (error instanceof EntraError) return entraErrorResult(error, ctx.origin);
    throw error;
  }
}

/** `GET /{tenant}/v2.0/.well-known/openid-configuration` and `GET /{tenant}/discovery/v2.0/keys`. */
export function handleDiscovery(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const tenant = req.params.tenant ?? "";
  if (!ctx.registry.hasTenant(tenant))
    return entraErrorResult(EntraErrorFactory.tenantNotFound(tenant), ctx.origin);
  if (req.params.document === "keys") return jsonResult(200, ctx.tokens.jwks());
  const base = `${ctx.origin}/${tenant}`;
  return jsonResult(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/openid/v2.0/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "tid", "appid", "roles"],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: new URL(ctx.origin).host,
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  });
}
