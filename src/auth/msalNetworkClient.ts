/**
 * An MSAL network module on our undici dispatcher, so token requests use the configured CA, proxy and
 * timeouts, and transport failures keep their classified DefenderError (MSAL would flatten them).
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import type { Dispatcher } from "undici";
import { DefenderError } from "../core/errors";
import { quoteOutside, redactUrl } from "../core/redact";
import { sendRequest } from "../http/httpClient";
import { retryAfterMs } from "../retry/retryStrategy";

/** Options of {@link createMsalNetworkClient}. */
export interface MsalNetworkClientOptions {
  /** Called with each transport failure before MSAL sees (and flattens) it. */
  onNetworkError?: (error: DefenderError) => void;
  /** Receives one redacted line per request. */
  log?: (line: string) => void;
}

/** The error for a 429 or 5xx from the token endpoint, quoting Entra's description (never a secret). */
function transientAnswer(
  method: string,
  url: string,
  response: { status: number; headers: Record<string, string>; body: string },
): DefenderError {
  let said = "";
  try {
    const body = JSON.parse(response.body) as { error?: unknown; error_description?: unknown };
    // Outside text: one sanitised line each, never a token or a fragment of one.
    said = [
      typeof body.error === "string" ? quoteOutside(body.error, { maxChars: 60 }) : "",
      typeof body.error_description === "string" ? quoteOutside(body.error_description) : "",
    ]
      .filter(Boolean)
      .join(": ");
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const retryAfter = retryAfterMs(response.headers, Date.now());
  const throttled = response.status === 429;
  return new DefenderError(
    throttled ? "MDE_THROTTLED" : "MDE_SERVER_ERROR",
    `${method} ${redactUrl(url)} answered ${response.status}${said ? ` (${said})` : ""}. ` +
      (throttled
        ? "The token endpoint is throttling this application: the provider waits as long as it asks and retries; if this persists, spread the deployments using this application."
        : "The token endpoint is unavailable, which is usually transient: the provider retries with backoff; if this persists, check the Entra ID service health and try again later."),
    {
      status: response.status,
      delivery: "answered",
      operation: "token",
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    },
  );
}

/** Builds an MSAL `INetworkModule` that sends through `dispatcher`. */
export function createMsalNetworkClient(
  dispatcher: Dispatcher,
  options: MsalNetworkClientOptions = {},
): INetworkModule {
  const send = async <T>(
    method: "GET" | "POST",
    url: string,
    request: NetworkRequestOptions | undefined,
    timeoutMs?: number,
  ): Promise<NetworkResponse<T>> => {
    let response: Awaited<ReturnType<typeof sendRequest>>;
    try {
      response = await sendRequest(dispatcher, {
        method,
        url,
        operation: "token",
        ...(request?.headers ? { headers: request.headers } : {}),
        ...(method === "POST" ? { body: request?.body ?? "" } : {}),
        ...(timeoutMs ? { headersTimeoutMs: timeoutMs } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
    } catch (error) {
      if (error instanceof DefenderError) options.onNetworkError?.(error);
      throw error;
    }
    if (response.status === 429 || (response.status >= 500 && response.status <= 599)) {
      // A transient answer is turned into our error before MSAL sees it: MSAL would remember it and
      // refuse every token request for a minute without sending one (its throttling cache), and it
      // keeps no status for us to decide on. The token provider retries it by our own policy.
      const error = transientAnswer(method, url, response);
      options.onNetworkError?.(error);
      throw error;
    }
    let body: T;
    try {
      body = JSON.parse(response.body) as T;
    } catch {
      const error = new DefenderError(
        "MDE_AUTH_FAILED",
        `${method} ${redactUrl(url)} answered ${response.status} with a body that is not JSON. ` +
          "Check mde:authorityHost: it must be an Entra ID (OAuth 2.0) authority.",
        // No `cause`: the parser's message quotes the body.
        { status: response.status, operation: "token" },
      );
      options.onNetworkError?.(error);
      throw error;
    }
    return { status: response.status, headers: response.headers, body };
  };
  return {
    sendGetRequestAsync: (url, request, timeout) => send("GET", url, request, timeout),
    sendPostRequestAsync: (url, request) => send("POST", url, request),
  };
}
