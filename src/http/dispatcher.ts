/**
 * One undici dispatcher per (application, tenant, API host) and CA: keep-alive connections are reused by
 * every request of a provider process, and the custom CA and timeouts apply to API and token calls alike.
 */
import { getCACertificates, rootCertificates } from "node:tls";
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici";
import { LoopbackBypass } from "./loopbackBypass";

/** Time to establish TCP + TLS, in milliseconds (undici's default). */
export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * Time to receive response headers after sending, in milliseconds. Defender answers in seconds; undici's
 * 300 s default would hide a lost response for five minutes.
 */
export const HEADERS_TIMEOUT_MS = 60_000;
/** Longest gap between body chunks, in milliseconds. */
export const BODY_TIMEOUT_MS = 60_000;
/** How long an idle keep-alive connection is kept, in milliseconds. */
export const KEEP_ALIVE_TIMEOUT_MS = 30_000;

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

// Module-level so that every resource of the process shares connections.
const dispatchers = new Map<string, Dispatcher>();

/** What a dispatcher is shared by and trusts. */
export interface DispatcherOptions {
  /** What shares connections: application, tenant and API host (see `settingsFingerprint`). */
  quotaKey: string;
  /** Path of an extra CA bundle, part of the sharing key. */
  caCertPath?: string;
  /** The extra CA bundle (PEM) trusted besides the default roots. */
  caCertPem?: string;
}

/** True when the environment configures an HTTP(S) proxy. */
export function proxyConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return PROXY_VARIABLES.some((name) => (env[name] ?? "").trim() !== "");
}

/**
 * The trusted roots: the process defaults (bundled roots plus `NODE_EXTRA_CA_CERTS`) plus the configured
 * CA. Undefined when nothing is added, so undici keeps Node's defaults untouched.
 */
function trustedCertificates(options: DispatcherOptions): string[] | undefined {
  if (!options.caCertPem) return undefined;
  const defaults =
    typeof getCACertificates === "function" ? getCACertificates("default") : [...rootCertificates];
  return [...defaults, options.caCertPem];
}

/**
 * The shared dispatcher for `options`: an `EnvHttpProxyAgent` when `HTTP(S)_PROXY` is set (honouring
 * `NO_PROXY`), otherwise an `Agent`; keep-alive, timeouts from the named constants, custom CA appended.
 */
export function getDispatcher(options: DispatcherOptions): Dispatcher {
  const proxied = proxyConfigured();
  const key = `${options.quotaKey}|${options.caCertPath ?? ""}|${proxied ? "proxy" : "direct"}`;
  let dispatcher = dispatchers.get(key);
  if (dispatcher) return dispatcher;
  const ca = trustedCertificates(options);
  const connect = { timeout: CONNECT_TIMEOUT_MS, ...(ca ? { ca } : {}) };
  const common = {
    connect,
    headersTimeout: HEADERS_TIMEOUT_MS,
    bodyTimeout: BODY_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  };
  // Loopback endpoints (an emulator, a local proxy) never go through a proxy: over plain http the proxy
  // would see the bearer token, and it cannot reach this machine's loopback anyway.
  dispatcher = proxied
    ? new LoopbackBypass(
        new Agent(common),
        new EnvHttpProxyAgent({ ...common, ...(ca ? { requestTls: { ca } } : {}) }),
      )
    : new Agent(common);
  dispatchers.set(key, dispatcher);
  return dispatcher;
}

/** Closes and forgets every shared dispatcher (tests, orderly shutdown). */
export async function closeDispatchers(): Promise<void> {
  const all = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.allSettled(all.map((d) => d.close()));
}
