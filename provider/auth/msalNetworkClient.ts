/**
 * An MSAL network module on our undici dispatcher, so token requests use the configured CA, proxy and
 * timeouts, and transport failures keep their classified DefenderError (MSAL would flatten them).
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import type { Dispatcher } from "undici";
import { DefenderError } from "../errors";
import { sendRequest } from "../http/httpClient";
import { redactUrl } from "../redact";

/** Options of {@link createMsalNetworkClient}. */
export interface MsalNetworkClientOptions {
  /** Called with each transport failure before MSAL sees (and flattens) it. */
  onNetworkError?: (error: DefenderError) => void;
  /** Receives one redacted line per request. */
  log?: (line: string) => void;
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
    let body: T;
    try {
      body = JSON.parse(response.body) as T;
    } catch (cause) {
      const error = new DefenderError(
        "MDE_AUTH_FAILED",
        `${method} ${redactUrl(url)} answered ${response.status} with a body that is not JSON. ` +
          "Check mde:authorityHost: it must be an Entra ID (OAuth 2.0) authority.",
        { status: response.status, operation: "token", cause },
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
