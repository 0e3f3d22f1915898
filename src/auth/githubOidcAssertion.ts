/**
 * Workload identity federation from GitHub Actions without a token file: the runner's ID token is
 * requested from `ACTIONS_ID_TOKEN_REQUEST_URL` (with `ACTIONS_ID_TOKEN_REQUEST_TOKEN`) for the audience
 * Entra ID expects, on every token request, and handed to MSAL as the client assertion. This is what
 * `@pulumi/azure-native` does for `useOidc`; the runner's tokens live minutes, so none is kept.
 */
import type { Dispatcher } from "undici";
import { DefenderError } from "../core/errors";
import { registerSecret } from "../core/redact";
import { sendRequest } from "../http/httpClient";

/** The audience Entra ID accepts for federated credentials. */
export const FEDERATED_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

/** Where the runner's ID token comes from. */
export interface GithubOidcSource {
  /** `ACTIONS_ID_TOKEN_REQUEST_URL` (already carries `?api-version=`). */
  requestUrl: string;
  /** `ACTIONS_ID_TOKEN_REQUEST_TOKEN`: a bearer secret. */
  requestToken: string;
}

/** The URL of an ID token request for the federated audience. */
export function idTokenUrl(requestUrl: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set("audience", FEDERATED_TOKEN_AUDIENCE);
  return url.toString();
}

/** A client-assertion callback that fetches a fresh ID token from the runner each time. */
export function githubOidcAssertion(source: GithubOidcSource, dispatcher: Dispatcher): () => Promise<string> {
  registerSecret(source.requestToken);
  return async () => {
    const response = await sendRequest(dispatcher, {
      method: "GET",
      url: idTokenUrl(source.requestUrl),
      headers: { authorization: `Bearer ${source.requestToken}`, accept: "application/json" },
      operation: "token",
    });
    let value: unknown;
    try {
      value = (JSON.parse(response.body) as { value?: unknown }).value;
    } catch {
      value = undefined;
    }
    if (response.status !== 200 || typeof value !== "string" || value === "") {
      throw new DefenderError(
        "MDE_AUTH_FAILED",
        `GitHub Actions did not issue an ID token (HTTP ${response.status}). The workflow job needs ` +
          "`permissions: id-token: write`, and mde:useOidc works only inside a GitHub Actions job " +
          "(ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are set by the runner).",
        { operation: "token", status: response.status },
      );
    }
    registerSecret(value);
    return value;
  };
}
