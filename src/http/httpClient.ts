/**
 * HTTP over undici for the Defender API and the token endpoint: raw requests with classified network
 * failures, and a JSON helper that turns Defender error bodies into DefenderErrors. Logs only redacted
 * lines (method, URL without secret query values, status, duration), never headers or bodies.
 */
import { type Dispatcher, request } from "undici";
import { DefenderError, type DefenderErrorCode, type OperationInfo } from "../core/errors";
import { isDelegatedToken, jwtClaims } from "../core/jwtClaims";
import { outsideIdentifier, quoteOutside, redactUrl } from "../core/redact";
import { retryAfterMs } from "../retry/retryStrategy";
import { networkError } from "./networkErrors";
import { guardedDispatcher } from "./writeGuard";

/** User-Agent sent with every request. */
export const USER_AGENT = "pulumi-mde";

/** A received response, body as text. Header names are lower case. */
export interface RawResponse {
  /** HTTP status. */
  status: number;
  /** Response headers, lower-case names, multiple values joined with ", ". */
  headers: Record<string, string>;
  /** Body as UTF-8 text. */
  body: string;
}

/** Options of {@link sendRequest}. */
export interface SendRequestOptions {
  /** HTTP method. */
  method: "GET" | "POST";
  /** Absolute URL. */
  url: string;
  /** Request headers. Never logged. */
  headers?: Record<string, string>;
  /** Request body. Never logged. */
  body?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** For error messages: the operation's name. */
  operation: string;
  /**
   * Response-headers timeout for this request, in milliseconds.
   * @default HEADERS_TIMEOUT_MS of the dispatcher (60000)
   */
  headersTimeoutMs?: number;
  /** Receives one redacted line per request. */
  log?: (line: string) => void;
  /**
   * Runs right before the request is written to its connection; a throw fails it unsent.
   * @default none
   */
  beforeWrite?: () => void;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * Sends one request and reads the whole body. Any status is returned; transport failures throw a
 * DefenderError whose `delivery` says whether the request may have reached the server.
 */
export async function sendRequest(dispatcher: Dispatcher, options: SendRequestOptions): Promise<RawResponse> {
  const target = `${options.method} ${redactUrl(options.url)}`;
  const started = Date.now();
  try {
    const response = await request(options.url, {
      dispatcher: options.beforeWrite ? guardedDispatcher(dispatcher, options.beforeWrite) : dispatcher,
      method: options.method,
      headers: { "user-agent": USER_AGENT, ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.headersTimeoutMs !== undefined ? { headersTimeout: options.headersTimeoutMs } : {}),
    });
    const body = await response.body.text();
    options.log?.(`${target} -> ${response.statusCode} in ${Date.now() - started} ms`);
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body };
  } catch (error) {
    const wrapped = networkError(error, options.operation, target);
    options.log?.(`${target} -> ${wrapped.code} after ${Date.now() - started} ms`);
    throw wrapped;
  }
}

/** What a failing HTTP call was about, for the message of its error. */
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

/** The stable code of an HTTP error status (any API or host: Defender, a link host, Blob Storage). */
export function codeForStatus(status: number): DefenderErrorCode {
  if (status === 400) return "MDE_BAD_REQUEST";
  if (status === 401) return "MDE_UNAUTHORIZED";
  if (status === 403) return "MDE_FORBIDDEN";
  if (status === 404) return "MDE_NOT_FOUND";
  if (status === 429) return "MDE_THROTTLED";
  if (status >= 500) return "MDE_SERVER_ERROR";
  return "MDE_HTTP_ERROR";
}

/** The error of a status when no API-specific wording is given: its code, the operation, the status. */
export function plainStatusError(status: number, context: HttpErrorContext): DefenderError {
  return new DefenderError(codeForStatus(status), `${context.operation.label} failed with HTTP ${status}.`, {
    status,
    operation: context.operation.name,
    delivery: "answered",
    ...(context.apiCode ? { apiCode: context.apiCode } : {}),
    ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    ...(context.retryAfterMs !== undefined ? { retryAfterMs: context.retryAfterMs } : {}),
  });
}

/** Options of {@link HttpClient}. */
export interface HttpClientOptions {
  /**
   * Builds the error of a non-2xx answer (the client layer names causes and fixes in the API's terms).
   * @default plainStatusError
   */
  statusError?: (status: number, context: HttpErrorContext) => DefenderError;
  /**
   * Receives one redacted line per request.
   * @default no logging
   */
  log?: (line: string) => void;
  /** API origin (plus any path prefix), without trailing slash and without `/api`. */
  apiEndpoint: string;
  /** Dispatcher to use (see `getDispatcher`). */
  dispatcher: Dispatcher;
  /**
   * Response-headers timeout of every request, in milliseconds.
   * @default HEADERS_TIMEOUT_MS (60000)
   */
  headersTimeoutMs?: number;
}

/** Options of {@link HttpClient.requestJson}. */
export interface JsonRequestOptions {
  /** HTTP method. */
  method: "GET" | "POST";
  /** Path under the API endpoint, starting with `/api/`. Segments must already be encoded. */
  path: string;
  /** Query parameters; undefined values are skipped. */
  query?: Record<string, string | number | undefined>;
  /** JSON body (POST). */
  body?: unknown;
  /** Bearer token. */
  token: string;
  /** What is being done, for error messages and permissions. */
  operation: OperationInfo;
  /** Device involved, for error messages. */
  machineId?: string;
  /** MachineAction involved, for error messages. */
  actionId?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Runs right before the request is written to its connection; a throw fails it unsent. */
  beforeWrite?: () => void;
}

/** A successful JSON response. */
export interface JsonResponse<T> {
  /** HTTP status (2xx). */
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  /** Parsed body; undefined for an empty body. */
  body: T;
}

interface DefenderErrorBody {
  error?: { code?: unknown; message?: unknown; target?: unknown };
}

/** Reads `{"error":{"code","message","target"}}`; tolerant of anything else. */
export function parseErrorBody(text: string): {
  apiCode?: string;
  apiMessage?: string;
  correlationId?: string;
} {
  try {
    const parsed = JSON.parse(text) as DefenderErrorBody;
    const err = parsed?.error;
    if (!err || typeof err !== "object") return {};
    const out: { apiCode?: string; apiMessage?: string; correlationId?: string } = {};
    // The server's words are outside text: codes and ids only in their known shapes, one sanitised line.
    const apiCode = outsideIdentifier(err.code);
    if (apiCode) out.apiCode = apiCode;
    const apiMessage = typeof err.message === "string" ? quoteOutside(err.message, { maxChars: 300 }) : "";
    if (apiMessage) out.apiMessage = apiMessage;
    const correlationId = outsideIdentifier(err.target);
    if (correlationId) out.correlationId = correlationId;
    return out;
  } catch {
    return {};
  }
}

/** JSON requests against the Defender API of one settings. */
export class HttpClient {
  private readonly baseUrl: string;
  private readonly dispatcher: Dispatcher;
  private readonly log: ((line: string) => void) | undefined;
  private readonly headersTimeoutMs: number | undefined;
  private readonly statusError: (status: number, context: HttpErrorContext) => DefenderError;

  constructor(options: HttpClientOptions) {
    this.headersTimeoutMs = options.headersTimeoutMs;
    this.statusError = options.statusError ?? plainStatusError;
    this.baseUrl = options.apiEndpoint;
    this.dispatcher = options.dispatcher;
    this.log = options.log;
  }

  /** The absolute URL of an API path with query parameters. */
  url(path: string, query?: Record<string, string | number | undefined>): string {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /**
   * Sends a JSON request with a bearer token and parses the answer.
   * @throws DefenderError for a non-2xx status (code from the status and the server's `error.code`, with
   *   `retryAfterMs` from the headers), for a transport failure (with `delivery`), or `MDE_INVALID_RESPONSE`
   *   for a 2xx body that is not JSON.
   */
  async requestJson<T>(options: JsonRequestOptions): Promise<JsonResponse<T>> {
    const url = this.url(options.path, options.query);
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      accept: "application/json",
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await sendRequest(this.dispatcher, {
      method: options.method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.beforeWrite ? { beforeWrite: options.beforeWrite } : {}),
      operation: options.operation.name,
      ...(this.log ? { log: this.log } : {}),
      ...(this.headersTimeoutMs !== undefined ? { headersTimeoutMs: this.headersTimeoutMs } : {}),
    });
    if (response.status < 200 || response.status >= 300) {
      const parsed = parseErrorBody(response.body);
      const retryAfter = retryAfterMs(response.headers, Date.now());
      throw this.statusError(response.status, {
        operation: options.operation,
        delegated: isDelegatedToken(options.token),
        ...signedInUser(options.token),
        ...parsed,
        ...(options.machineId !== undefined ? { machineId: options.machineId } : {}),
        ...(options.actionId !== undefined ? { actionId: options.actionId } : {}),
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
      });
    }
    if (response.body.trim() === "")
      return { status: response.status, headers: response.headers, body: undefined as T };
    try {
      return { status: response.status, headers: response.headers, body: JSON.parse(response.body) as T };
    } catch {
      throw new DefenderError(
        "MDE_INVALID_RESPONSE",
        `${options.method} ${redactUrl(url)} answered ${response.status} with a body that is not JSON ` +
          `(content-type ${response.headers["content-type"] ?? "none"}). Check that mde:apiEndpoint points at the Defender API.`,
        // No `cause`: the parser's message quotes the body.
        { status: response.status, operation: options.operation.name },
      );
    }
  }
}

/** The signed-in user a delegated token names (`upn`, else `unique_name`), to say who was refused. */
function signedInUser(token: string): { user?: string } {
  if (!isDelegatedToken(token)) return {};
  const claims = jwtClaims(token);
  const user = claims?.upn ?? claims?.unique_name;
  return typeof user === "string" ? { user } : {};
}
