/**
 * The one error family of the provider: every failure a caller may handle carries a stable `code`.
 * Match on `code` (and `status`), never on `message`: messages are for people and may change.
 */
import { redact } from "./redact";

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
  | "MDE_OUTCOME_UNKNOWN"
  /** Several devices share the computer name a resource targets (a re-onboarded device). */
  | "MDE_DEVICE_AMBIGUOUS"
  /** With `requireActiveDevice`, the device's health status is not `Active`. */
  | "MDE_DEVICE_NOT_ACTIVE"
  /** A resource input is invalid: reported by `check` at `pulumi preview`, before any request. */
  | "MDE_INPUT_INVALID"
  /** `pulumi import` or the `import` resource option: dynamic resources cannot be imported; use `adoptActionId`. */
  | "MDE_IMPORT_UNSUPPORTED"
  /** The provider runs on a Node.js older than it supports (see `MINIMUM_NODE_VERSION`). */
  | "MDE_NODE_UNSUPPORTED"
  /** A failure the package did not expect (a bug): the original message, to report with the version. */
  | "MDE_UNEXPECTED";

/**
 * Whether a failed request may have reached the server (and so may have had an effect).
 * - `notDelivered`: certainly not (connection refused, DNS failure, TLS handshake failure, connect timeout);
 * - `doubtful`: it may have been processed (reset or timeout after sending, most 5xx);
 * - `answered`: the server answered with a definite status (4xx), so its effect is known.
 */
export type DeliveryCertainty = "notDelivered" | "doubtful" | "answered";

/**
 * Which API operation failed, by the name of its row in the client's operations table (`collect`,
 * `getAction`, ...) or `token`. It chooses the permission and the fix named in messages.
 */
export type DefenderOperation = string;

/** What a failing call was about: its name, what it does in words, and the permissions that allow it. */
export interface OperationInfo {
  /** Stable name, e.g. `collect`. */
  name: DefenderOperation;
  /** What it does, for messages: "collecting an investigation package". */
  label: string;
  /** Application permissions (token `roles`) any one of which allows it. */
  permissions: readonly string[];
  /** Delegated permissions (token `scp`) any one of which allows it for a signed-in user. */
  delegatedPermissions?: readonly string[];
}

/** A MachineAction as errors carry it (the client's wire type fits). */
export interface ActionLike {
  id: string;
  [field: string]: unknown;
}

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
  action?: ActionLike;
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
  readonly action?: ActionLike;
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

/** Any thrown value as a DefenderError: network failures of unknown shape become `MDE_NETWORK_ERROR`. */
export function toDefenderError(error: unknown): DefenderError {
  if (error instanceof DefenderError) return error;
  return new DefenderError("MDE_NETWORK_ERROR", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/** True when `error` is a {@link DefenderError}, optionally with the given code. */
export function isDefenderError(error: unknown, code?: DefenderErrorCode): error is DefenderError {
  return error instanceof DefenderError && (code === undefined || error.code === code);
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
