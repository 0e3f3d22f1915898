/**
 * The {@link DefenderError} for an HTTP error status of the Defender API: code from the status and the
 * server's `error.code`, and a message naming the cause and the fix for the operation at hand.
 */
import { DefenderError, type DefenderErrorCode, type OperationInfo } from "./errors";

/** What a failing HTTP call was about, to make the error message specific. */
export interface HttpErrorContext {
  /** The operation that failed. */
  operation: OperationInfo;
  /** True when the token was a signed-in user's (delegated): a 401 or 403 then needs other fixes. */
  delegated?: boolean;
  /** The signed-in user (`upn` claim of a delegated token), to name in messages. */
  user?: string;
  /** Device id or name involved, if any. */
  machineId?: string;
  /** MachineAction id involved, if any. */
  actionId?: string;
  /** The server's `error.code`. */
  apiCode?: string;
  /** The server's `error.message` (free text; only quoted, never matched). */
  apiMessage?: string;
  /** The server's `error.target`. */
  correlationId?: string;
  /** Retry-After in milliseconds, if the response carried one. */
  retryAfterMs?: number;
}

function permissionList(perms: readonly string[]): string {
  if (perms.length <= 1) return `\`${perms[0] ?? "?"}\``;
  return `one of ${perms.map((p) => `\`${p}\``).join(", ")}`;
}

/**
 * The Defender role permission a signed-in user needs per operation, as Microsoft's API pages name it.
 * Collecting and the package link document "Alerts investigation"; a custom role's narrower
 * "Collect investigation package" also allows them. Reads need "View data". The operation's delegated
 * permissions (token `scp`) come from the operations table.
 */
const INVESTIGATION_ROLE =
  '"Alerts investigation" (a custom role may grant "Collect investigation package" instead)';
const ROLE_PERMISSION: Readonly<Record<string, string>> = {
  collect: INVESTIGATION_ROLE,
  getPackageUri: INVESTIGATION_ROLE,
  // Undocumented for users; cancelling is a response action like collecting.
  cancel: '"Alerts investigation" or "Active remediation actions"',
};
const READ_ROLE = '"View data" (Security operations)';

/** The 403 message for a signed-in user's token: role, device group, delegated permission; never app consent. */
function delegatedForbidden(
  context: HttpErrorContext,
  subject: string | undefined,
  apiCode?: string,
): string {
  const { operation } = context;
  const who = context.user ? `You are signed in as ${context.user}, and` : "You are signed in as a user, and";
  const scopes = operation.delegatedPermissions ?? operation.permissions;
  return (
    `${who} Defender does not let this user do it: ${operation.label} was forbidden ` +
    `(403${apiCode && apiCode !== "Forbidden" ? ` ${apiCode}` : ""}). A signed-in user needs all of: ` +
    `(1) a Defender role with the permission ${ROLE_PERMISSION[operation.name] ?? READ_ROLE}, ` +
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
export function httpStatusError(status: number, context: HttpErrorContext): DefenderError {
  const { operation, apiCode, apiMessage, correlationId, retryAfterMs } = context;
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
      `A collection is already running on ${subject ?? "the device"} (400 ActiveRequestAlreadyExists). ` +
      "Wait for it to finish or adopt it: Defender runs one investigation-package collection per device at a time.";
  } else if (status === 400 && apiCode === "OsPlatformNotSupported") {
    code = "MDE_OS_NOT_SUPPORTED";
    message =
      `${subject ? `The ${subject}` : "The device"} cannot collect an investigation package (400 OsPlatformNotSupported). ` +
      "Collection needs Windows 10 1703+ / Windows 11, or a supported Windows Server, Linux or macOS sensor; " +
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
