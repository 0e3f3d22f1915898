/**
 * The one error family of the provider: every failure a caller may handle carries a stable `code`.
 * Match on `code` (and `status`), never on `message`: messages are for people and may change.
 */
import { redact } from "./redact";
import type { MachineAction } from "./types";

/** Stable error codes. */
export type DefenderErrorCode =
  /** Connect, response-headers or body timeout. */
  | "MDE_HTTP_TIMEOUT"
  /** The connection was closed or reset by the peer. */
  | "MDE_CONNECTION_RESET"
  /** The server refused the TCP connection. */
  | "MDE_CONNECTION_REFUSED"
  /** The host name could not be resolved. */
  | "MDE_DNS_FAILURE"
  /** TLS handshake or certificate verification failed. */
  | "MDE_TLS_FAILURE"
  /** Another network failure. */
  | "MDE_NETWORK_ERROR"
  /** The caller aborted the operation through its `AbortSignal`. */
  | "MDE_ABORTED"
  /** HTTP 401. */
  | "MDE_UNAUTHORIZED"
  /** HTTP 403. */
  | "MDE_FORBIDDEN"
  /** HTTP 404. */
  | "MDE_NOT_FOUND"
  /** HTTP 429. */
  | "MDE_THROTTLED"
  /** HTTP 5xx. */
  | "MDE_SERVER_ERROR"
  /** HTTP 400 (other than the specific codes below). */
  | "MDE_BAD_REQUEST"
  /** HTTP 400 `ActiveRequestAlreadyExists`: a collection is already running on the device. */
  | "MDE_ACTIVE_REQUEST_EXISTS"
  /** HTTP 400 `OsPlatformNotSupported`: the device cannot collect an investigation package. */
  | "MDE_OS_NOT_SUPPORTED"
  /** Another HTTP status. */
  | "MDE_HTTP_ERROR"
  /** A 2xx response whose body is not what the API documents. */
  | "MDE_INVALID_RESPONSE"
  /** Obtaining an access token failed. */
  | "MDE_AUTH_FAILED"
  /** Provider configuration is invalid. */
  | "MDE_CONFIG_INVALID"
  /** The outcome of a non-idempotent request stayed unknown after every verification attempt. */
  | "MDE_OUTCOME_UNKNOWN";

/**
 * Whether a failed request may have reached the server (and so may have had an effect).
 * - `notDelivered`: certainly not (connection refused, DNS failure, TLS handshake failure, connect timeout);
 * - `doubtful`: it may have been processed (reset or timeout after sending, most 5xx);
 * - `answered`: the server answered with a definite status (4xx), so its effect is known.
 */
export type DeliveryCertainty = "notDelivered" | "doubtful" | "answered";

/** Which API operation failed: chooses the permission and the fix named in messages. */
export type DefenderOperation =
  | "collect"
  | "getAction"
  | "listActions"
  | "cancel"
  | "getMachine"
  | "listMachines"
  | "getPackageUri"
  | "token";

/** Fields of a {@link DefenderError} besides its code and message. */
export interface DefenderErrorOptions {
  /** HTTP status, when the server answered. */
  status?: number;
  /** The server's `error.code`, e.g. `ActiveRequestAlreadyExists`. */
  apiCode?: string;
  /** The server's `error.target` (correlation id), to quote to Microsoft support. */
  correlationId?: string;
  /** How long the server asked us to wait, in milliseconds. */
  retryAfterMs?: number;
  /** Whether the failed request may have reached the server. */
  delivery?: DeliveryCertainty;
  /** The operation that failed. */
  operation?: DefenderOperation;
  /** For `MDE_CONFIG_INVALID`: the configuration key at fault, e.g. `mde:cloud`. */
  configKey?: string;
  /** For `MDE_ACTIVE_REQUEST_EXISTS`: the running action, when it could be found (to adopt it). */
  action?: MachineAction;
  /** Extra data for callers. */
  details?: Record<string, unknown>;
  /** The underlying error. Its message is not re-exposed by ours; keep secrets out of it anyway. */
  cause?: unknown;
}

/** Everything a {@link DefenderError} holds, for the single-object constructor form. */
export interface DefenderErrorInit extends DefenderErrorOptions {
  /** Stable code. */
  code: DefenderErrorCode;
  /** Message naming cause and fix; redacted on construction. */
  message: string;
}

/**
 * An error of the Defender provider. The message names the cause and the fix and is redacted: it never
 * contains a secret registered with `registerSecret`, a bearer token or a signed URL.
 */
export class DefenderError extends Error {
  /** Stable code to match on. */
  readonly code: DefenderErrorCode;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** The server's `error.code`. */
  readonly apiCode?: string;
  /** The server's `error.target` (correlation id). */
  readonly correlationId?: string;
  /** How long the server asked us to wait, in milliseconds. */
  readonly retryAfterMs?: number;
  /** Whether the failed request may have reached the server. */
  readonly delivery?: DeliveryCertainty;
  /** The operation that failed. */
  readonly operation?: DefenderOperation;
  /** For `MDE_CONFIG_INVALID`: the configuration key at fault. */
  readonly configKey?: string;
  /** For `MDE_ACTIVE_REQUEST_EXISTS`: the running action, when found. */
  readonly action?: MachineAction;
  /** Extra data for callers. */
  readonly details?: Record<string, unknown>;

  /** `new DefenderError(code, message, options?)` or `new DefenderError({ code, message, ...options })`. */
  constructor(init: DefenderErrorInit);
  constructor(code: DefenderErrorCode, message: string, options?: DefenderErrorOptions);
  constructor(
    codeOrInit: DefenderErrorCode | DefenderErrorInit,
    messageArg?: string,
    optionsArg: DefenderErrorOptions = {},
  ) {
    const { code, message, ...options }: DefenderErrorInit =
      typeof codeOrInit === "string"
        ? { ...optionsArg, code: codeOrInit, message: messageArg ?? "" }
        : codeOrInit;
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DefenderError";
    this.code = code;
    // Assign only defined fields so that the error prints and serialises compactly.
    if (options.status !== undefined) this.status = options.status;
    if (options.apiCode !== undefined) this.apiCode = options.apiCode;
    if (options.correlationId !== undefined) this.correlationId = options.correlationId;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.delivery !== undefined) this.delivery = options.delivery;
    if (options.operation !== undefined) this.operation = options.operation;
    if (options.configKey !== undefined) this.configKey = options.configKey;
    if (options.action !== undefined) this.action = options.action;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** True when `error` is a {@link DefenderError}, optionally with the given code. */
export function isDefenderError(error: unknown, code?: DefenderErrorCode): error is DefenderError {
  return error instanceof DefenderError && (code === undefined || error.code === code);
}

/** Application permissions (token `roles`) that allow each operation, as documented by Microsoft. */
export const REQUIRED_PERMISSIONS: Readonly<Record<DefenderOperation, readonly string[]>> = {
  collect: ["Machine.CollectForensics"],
  getAction: ["Machine.Read.All", "Machine.ReadWrite.All"],
  listActions: ["Machine.Read.All", "Machine.ReadWrite.All"],
  getMachine: ["Machine.Read.All", "Machine.ReadWrite.All"],
  listMachines: ["Machine.Read.All", "Machine.ReadWrite.All"],
  getPackageUri: ["Machine.ReadWrite.All"],
  cancel: [
    "Machine.CollectForensics",
    "Machine.Isolate",
    "Machine.RestrictExecution",
    "Machine.Scan",
    "Machine.Offboard",
    "Machine.StopAndQuarantine",
    "Machine.LiveResponse",
  ],
  token: [],
};

const OPERATION_LABELS: Readonly<Record<DefenderOperation, string>> = {
  collect: "collecting an investigation package",
  getAction: "reading a machine action",
  listActions: "listing machine actions",
  cancel: "cancelling a machine action",
  getMachine: "reading a device",
  listMachines: "listing devices",
  getPackageUri: "getting the investigation package link",
  token: "obtaining an access token",
};

/** What a failing HTTP call was about, to make the error message specific. */
export interface HttpErrorContext {
  /** The operation that failed. */
  operation: DefenderOperation;
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

function permissionList(operation: DefenderOperation): string {
  const perms = REQUIRED_PERMISSIONS[operation];
  if (perms.length <= 1) return `\`${perms[0] ?? "?"}\``;
  return `one of ${perms.map((p) => `\`${p}\``).join(", ")}`;
}

/**
 * Builds the {@link DefenderError} for an HTTP error status, with a message naming cause and fix.
 */
export function httpStatusError(status: number, context: HttpErrorContext): DefenderError {
  const { operation, apiCode, apiMessage, correlationId, retryAfterMs } = context;
  const what = OPERATION_LABELS[operation];
  const server = [apiCode, apiMessage?.trim().replace(/\.+$/, "")].filter(Boolean).join(": ");
  const serverPart = server ? ` Server said: ${server}.` : "";
  const corrPart = correlationId ? ` Correlation id: ${correlationId}.` : "";
  const subject = context.actionId
    ? `machine action '${context.actionId}'`
    : context.machineId
      ? `device '${context.machineId}'`
      : undefined;
  const base = { status, apiCode, correlationId, retryAfterMs, operation, delivery: "answered" as const };

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
  } else if (status === 401) {
    code = "MDE_UNAUTHORIZED";
    message =
      `The Defender API rejected the access token while ${what} (401 Unauthorized). ` +
      "Check mde:tenantId, mde:clientId and the credential (mde:clientSecret, certificate, federated token or " +
      "mde:accessToken), that the token was issued for the Defender API scope of the configured mde:cloud, " +
      "and that a static token has not expired.";
  } else if (status === 403) {
    code = "MDE_FORBIDDEN";
    message =
      `The application is not allowed to do this: ${what} was forbidden (403${apiCode && apiCode !== "Forbidden" ? ` ${apiCode}` : ""}). ` +
      `It needs the WindowsDefenderATP application permission ${permissionList(operation)}, granted with admin consent ` +
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

/**
 * Builds the `MDE_CONFIG_INVALID` error for one configuration key, naming what was expected, what was
 * given (pass `given: undefined` for secrets: it is never echoed) and what to do.
 */
export function configError(
  key: string,
  expected: string,
  given: string | undefined,
  fix: string,
): DefenderError {
  const givenPart = given === undefined ? "" : ` Got ${JSON.stringify(given)}.`;
  return new DefenderError("MDE_CONFIG_INVALID", `Invalid ${key}: expected ${expected}.${givenPart} ${fix}`, {
    configKey: key,
  });
}
