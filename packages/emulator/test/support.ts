/**
 * Helpers for the emulator's contract tests: an HTTPS client that trusts the emulator's CA,
 * token requests, a msal-node confidential client wired to the emulator, and polling.
 */
import { ConfidentialClientApplication, type Configuration, type INetworkModule } from "@azure/msal-node";
import { Agent, request } from "undici";
import type { Emulator } from "../src";

/** A parsed HTTP answer. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  json: any;
}

const agents = new WeakMap<Emulator, Agent>();

/** An undici agent trusting the emulator's CA (one per emulator). */
export function agentFor(em: Emulator): Agent {
  let agent = agents.get(em);
  if (!agent) {
    agent = new Agent({ connect: { ca: em.caPem } });
    agents.set(em, agent);
  }
  return agent;
}

/** Sends a request to the emulator (path relative to its origin, or an absolute URL). */
export async function send(
  em: Emulator,
  method: string,
  pathOrUrl: string,
  options: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] = "application/json";
  }
  const url = pathOrUrl.startsWith("https://") ? pathOrUrl : `${em.url}${pathOrUrl}`;
  const response = await request(url, {
    method: method as "GET",
    headers,
    dispatcher: agentFor(em),
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: flat, body: text, json };
}

/** The Defender scope. */
export const SCOPE = "https://api.securitycenter.microsoft.com/.default";

/** Posts a client-credentials form to the token endpoint of `tenantId`. */
export function postToken(em: Emulator, tenantId: string, form: Record<string, string>): Promise<Answer> {
  return send(em, "POST", `/${tenantId}/oauth2/v2.0/token`, {
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

/** An access token for an app with a secret (the default app unless given). */
export async function tokenFor(
  em: Emulator,
  app: { tenantId: string; clientId: string; clientSecret?: string } = em.defaultApp,
): Promise<string> {
  const answer = await postToken(em, app.tenantId, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret ?? "",
    scope: SCOPE,
  });
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.body}`);
  return answer.json.access_token as string;
}

/** A msal-node network client over undici that trusts the emulator's CA. */
export function msalNetworkClient(em: Emulator): INetworkModule {
  const call = async (
    method: "GET" | "POST",
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ) => {
    const response = await request(url, {
      method,
      dispatcher: agentFor(em),
      ...(options?.headers ? { headers: options.headers } : {}),
      ...(options?.body === undefined ? {} : { body: options.body }),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === "string") headers[name] = value;
    }
    // biome-ignore lint/suspicious/noExplicitAny: msal's response type is generic
    return { status: response.statusCode, headers, body: (await response.body.json()) as any };
  };
  return {
    sendGetRequestAsync: (url, options) => call("GET", url, options),
    sendPostRequestAsync: (url, options) => call("POST", url, options),
  };
}

/** A msal-node confidential client for `tenantId` that makes no discovery calls. */
export function msalClient(em: Emulator, tenantId: string, auth: Omit<Configuration["auth"], "authority">) {
  const authority = `${em.authorityHost}/${tenantId}`;
  return new ConfidentialClientApplication({
    auth: {
      ...auth,
      authority,
      knownAuthorities: [new URL(em.authorityHost).host],
      authorityMetadata: JSON.stringify({
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        issuer: `${authority}/v2.0`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        jwks_uri: `${authority}/discovery/v2.0/keys`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      }),
    },
    system: { networkClient: msalNetworkClient(em) },
  });
}

/** Decodes the payload of a JWT without verifying it. */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls an action until it reaches `status` or `timeoutMs` passes; returns the last body. */
export async function waitForStatus(
  em: Emulator,
  token: string,
  actionId: string,
  status: string,
  timeoutMs = 5000,
  // biome-ignore lint/suspicious/noExplicitAny: action bodies are asserted field by field
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await send(em, "GET", `/api/machineactions/${actionId}`, { token });
    if (answer.json?.status === status || Date.now() > deadline) return answer.json;
    await sleep(25);
  }
}

/** Asserts-friendly view of an API error body. */
export function isApiError(answer: Answer, code: string): boolean {
  const error = answer.json?.error;
  return (
    typeof error === "object" &&
    error.code === code &&
    typeof error.message === "string" &&
    /^[0-9a-f-]{36}$/.test(error.target) &&
    Object.keys(error).sort().join(",") === "code,message,target" &&
    Object.keys(answer.json).join(",") === "error"
  );
}
