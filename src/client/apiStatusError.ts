/**
 * The {@link DefenderError} for an HTTP error status of the Defender API: code from the status and the
 * server's `error.code`, and a message naming the cause and the fix for the operation at hand, from its
 * row of the operations table (what it does, the permissions and the Defender role that allow it). The
 * HTTP layer calls it through `HttpClientOptions.statusError`: the API's wording lives here, not below.
 */
import { DefenderError, type DefenderErrorCode } from "../core/errors";
import type { HttpErrorContext } from "../http/httpClient";
import type { Operation } from "./operations";

export type { HttpErrorContext } from "../http/httpClient";

function permissionList(perms: readonly string[]): string {
  if (perms.length <= 1) return `\`${perms[0] ?? "?"}\``;
  return `one of ${perms.map((p) => `\`${p}\``).join(", ")}`;
}

/** The Defender role permission of reads, for operations whose row names none. */
const READ_ROLE = '"View data" (Security operations)';

/** The 403 message for a signed-in user's token: role, device group, delegated permission; never app consent. */
function delegatedForbidden(
  context: HttpErrorContext,
  subject: string | undefined,
  apiCode?: string,
): string {
  const operation = context.operation as Operation;
  const who = context.user ? `You are signed in as ${context.user}, and` : "You are signed in as a user, and";
  const scopes = operation.delegatedPermissions ?? operation.permissions;
  return (
    `${who} Defender does not let this user do it: ${operation.label} was forbidden ` +
    `(403${apiCode && apiCode !== "Forbidden" ? ` ${apiCode}` : ""}). A signed-in user needs all of: ` +
    `(1) a Defender role with the permission ${operation.userRole ?? READ_ROLE}, ` +
    "assigned to a group the user is in (Microsoft Defender portal → Settings → Endpoints → Roles); " +
    `(2) access to the device group of ${subject ?? "the device"} (Settings → Endpoints → Device groups → ` +
    "User access); (3) the delegated permission " +
    `${permissionList(scopes)} for the client the user signs in with (the Azure CLI for mde:useAzureCli). ` +
    "Ask a Defender administrator for the missing role permission or device-group access, then run again."
  );
}

/**
 * Builds the {@link DefenderError} for an HTTP error status, with a message naming cause and fix.
 */
export function apiStatusError(status: number, context: HttpErrorContext): DefenderError {
  const { apiCode, apiMessage, correlationId, retryAfterMs } = context;
  const operation = context.operation as Operation;
  const noun = operation.action?.noun ?? "request";
  const what = operation.label;
  const server = [apiCode, apiMessage?.trim().replace(/\.+$/, "")].filter(Boolean).join(": ");
  const serverPart = server ? ` Server said: ${server}.` : "";
  const corrPart = correlationId ? ` Correlation id: ${correlationId}.` : "";
  const subject = context.actionId
    ? `machine action '${context.actionId}'`
    : context.machineId
      ? `device '${context.machineId}'`
      : undefined;
  const base = {
    status,
    apiCode,
    correlationId,
    retryAfterMs,
    operation: operation.name,
    delivery: "answered" as const,
  };

  let code: DefenderErrorCode;
  let message: string;
  if (status === 400 && apiCode === "ActiveRequestAlreadyExists") {
    code = "MDE_ACTIVE_REQUEST_EXISTS";
    message =
      `A ${noun} is already running on ${subject ?? "the device"} (400 ActiveRequestAlreadyExists). ` +
      `Wait for it to finish or adopt it: Defender runs one ${noun} per device at a time.`;
  } else if (status === 400 && apiCode === "OsPlatformNotSupported") {
    code = "MDE_OS_NOT_SUPPORTED";
    message =
      `${subject ? `The ${subject}` : "The device"} does not support ${what} (400 OsPlatformNotSupported). ` +
      "Response actions need Windows 10 1703+ / Windows 11, or a supported Windows Server, Linux or macOS sensor; " +
      "remove this device from the targets or update its sensor.";
  } else if (status === 400) {
    code = "MDE_BAD_REQUEST";
    message =
      `The Defender API rejected the request while ${what} (400).` +
      " Check the inputs (device id, comment, filter syntax).";
  } else if (status === 401 && context.delegated) {
    code = "MDE_UNAUTHORIZED";
    message =
      `The Defender API rejected the signed-in user's token${context.user ? ` (${context.user})` : ""} while ${what} ` +
      "(401 Unauthorized). Sign in again (`az login --tenant <your Defender tenant>`), and check that mde:tenantId " +
      "is the tenant of your Defender for Endpoint and the token is for the Defender API of the configured mde:cloud.";
  } else if (status === 401) {
    code = "MDE_UNAUTHORIZED";
    message =
      `The Defender API rejected the access token while ${what} (401 Unauthorized). ` +
      "Check mde:tenantId, mde:clientId and the credential (mde:clientSecret, certificate, federated token or " +
      "mde:accessToken), that the token was issued for the Defender API scope of the configured mde:cloud, " +
      "and that a static token has not expired.";
  } else if (status === 403 && context.delegated) {
    code = "MDE_FORBIDDEN";
    message = delegatedForbidden(context, subject, apiCode);
  } else if (status === 403) {
    code = "MDE_FORBIDDEN";
    message =
      `The application is not allowed to do this: ${what} was forbidden (403${apiCode && apiCode !== "Forbidden" ? ` ${apiCode}` : ""}). ` +
      `It needs the WindowsDefenderATP application permission ${permissionList(operation.permissions)}, granted with admin consent ` +
      "in Microsoft Entra ID (API permissions → Grant admin consent); a new permission appears in tokens issued after consent. " +
      `If the permission is present, check that the application's device-group (RBAC) scope includes ${subject ?? "the device"}.`;
  } else if (status === 404) {
    code = "MDE_NOT_FOUND";
    message = context.actionId
      ? `Machine action '${context.actionId}' was not found (404). Check the action id, and that it belongs to this tenant.`
      : context.machineId
        ? `Device '${context.machineId}' was not found (404). Check the device id (40 lowercase hex characters in the ` +
          "Defender portal URL or the Machines API) and that the application's tenant contains it."
        : `Not found while ${what} (404).`;
  } else if (status === 429) {
    code = "MDE_THROTTLED";
    message =
      `The Defender API throttled the application while ${what} (429)` +
      (retryAfterMs !== undefined ? `; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s` : "") +
      ". The quota is shared by every caller of this application in the tenant: lower mde:rateLimitPerMinute or " +
      "spread the work.";
  } else if (status >= 500) {
    code = "MDE_SERVER_ERROR";
    message = `The Defender API failed while ${what} (${status}). This is usually transient: retry later.`;
  } else {
    code = "MDE_HTTP_ERROR";
    message = `Unexpected HTTP status ${status} while ${what}.`;
  }
  return new DefenderError(code, `${message}${serverPart}${corrPart}`, base);
}
