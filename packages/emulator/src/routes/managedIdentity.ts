/**
 * Managed identity token endpoints in the two shapes msal-node's ManagedIdentityApplication
 * reaches without Azure hardware: App Service (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, header
 * `X-IDENTITY-HEADER`, api-version 2019-08-01) and IMDS (`AZURE_POD_IDENTITY_AUTHORITY_HOST`,
 * header `Metadata: true`, api-version 2018-02-01). msal lower-cases these URLs and appends a
 * slash, which the router tolerates.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { type HandlerResult, jsonResult } from "../http";
import { audienceOf } from "../tokenAudience";

function miError(status: number, error: string, description: string): HandlerResult {
  return { status, json: { error, error_description: description }, errorCode: error };
}

/** `GET /msi/token` (App Service) and `GET /metadata/identity/oauth2/token` (IMDS). */
export function handleManagedIdentity(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const query = req.url.searchParams;
  if (req.params.source === "appService") {
    if (req.headers["x-identity-header"] !== ctx.managedIdentity.identityHeader) {
      return miError(401, "unauthorized_client", "The X-IDENTITY-HEADER header is missing or wrong.");
    }
  } else if (String(req.headers.metadata ?? "").toLowerCase() !== "true") {
    return miError(400, "invalid_request", "Required metadata header not specified");
  }
  const resource = query.get("resource");
  if (!resource) return miError(400, "invalid_request", "Required query variable 'resource' is missing");
  // Defender or Azure Storage (`https://storage.azure.com/`), each with its own audience.
  const audience = audienceOf(resource);
  if (audience === undefined) {
    return miError(
      400,
      "invalid_resource",
      `AADSTS500011: The resource principal named ${resource} was not found in the tenant.`,
    );
  }
  let app = ctx.managedIdentity.app;
  const clientId = query.get("client_id");
  if (clientId) {
    const userAssigned = ctx.registry.findManagedIdentity(clientId);
    if (!userAssigned) {
      return miError(
        400,
        "invalid_request",
        `No user-assigned managed identity with client id ${clientId} is assigned to this resource.`,
      );
    }
    app = userAssigned;
  } else if (
    query.get("object_id") ||
    query.get("mi_res_id") ||
    query.get("msi_res_id") ||
    query.get("principal_id")
  ) {
    return miError(
      400,
      "invalid_request",
      "Only system-assigned identities and user-assigned identities by client_id are emulated.",
    );
  }
  req.call.identify(app.clientId, app.tenantId);
  const token = ctx.tokens.issue(app, "2", { audience });
  const nowSeconds = ctx.tokens.issuedAtSeconds(audience);
  // Both services send numbers as strings; msal-node converts them.
  return jsonResult(200, {
    access_token: token.access_token,
    expires_on: String(nowSeconds + token.expires_in),
    expires_in: String(token.expires_in),
    ext_expires_in: String(token.ext_expires_in),
    not_before: String(nowSeconds),
    resource,
    token_type: "Bearer",
    client_id: app.clientId,
  });
}
