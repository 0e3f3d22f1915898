/**
 * Access tokens for the Defender API, one provider per credential, shared by every resource in the
 * process: MSAL confidential client (secret, certificate, federated token file), MSAL managed identity, or
 * a static bearer token.
 *
 * Concurrent callers share one token request (MSAL alone would send one per caller on an empty cache),
 * and a token is reused until less than {@link TOKEN_REFRESH_MARGIN_MS} (divided by the time scale) is left.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type {
  ConfidentialClientApplication,
  Configuration,
  ManagedIdentityApplication,
} from "@azure/msal-node";
import { configError, DefenderError } from "../errors";
import { getDispatcher } from "../http/dispatcher";
import { redact, registerSecret } from "../redact";
import { decideRetry, type RetryOptions } from "../retryStrategy";
import { type Credential, credentialFingerprint, type Settings } from "../settings";
import { authError } from "./authErrors";
import { createMsalNetworkClient } from "./msalNetworkClient";

/** Refresh a cached token when less than this is left, in (unscaled) milliseconds. MSAL uses the same 5 min. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** Authority hosts of Microsoft Entra ID: MSAL knows their metadata and discovers nothing else. */
export const MICROSOFT_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.microsoft.com",
  "login.windows.net",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
  "login-us.microsoftonline.com",
  "sts.windows.net",
]);

/** Options of {@link TokenProvider.getToken}. */
export interface GetTokenOptions {
  /** Stops waiting (the shared request itself continues for other callers). */
  signal?: AbortSignal;
}

/** Supplies bearer tokens for the Defender API. */
export interface TokenProvider {
  /** The credential kind, for messages. */
  readonly kind: Credential["kind"];
  /** False for a static token: dropping it cannot produce a new one. */
  readonly canRefresh: boolean;
  /**
   * A valid access token.
   * @throws DefenderError `MDE_AUTH_FAILED` (with the AADSTS code and a fix), a network code, or
   *   `MDE_CONFIG_INVALID` for an unusable certificate.
   */
  getToken(options?: GetTokenOptions): Promise<string>;
  /**
   * Drops the cached token (after a 401) so the next call obtains a new one. With `refused`, only
   * when that is still the cached token: many calls refused with the same expired token must not
   * each throw away the one renewed by the first.
   */
  invalidate(refused?: string): void;
}

/** Options of {@link getTokenProvider}. */
export interface TokenProviderOptions {
  /**
   * Receives redacted MSAL warnings and one line per token HTTP request.
   * @default no logging
   */
  log?: (line: string) => void;
  /**
   * Clock, epoch milliseconds.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Retry tuning for transient token endpoint failures; `timeScale` defaults to the settings' one.
   * @default the defaults of `decideRetry`
   */
  retry?: RetryOptions;
}

interface CachedToken {
  token: string;
  refreshAtMs: number;
}

interface AcquiredToken {
  token: string;
  expiresOnMs: number;
}

/**
 * Caching and single-flight around an `acquire` function; shared by every MSAL-backed credential kind.
 */
class CachingTokenProvider implements TokenProvider {
  readonly canRefresh = true;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private forceRefresh = false;

  constructor(
    readonly kind: Credential["kind"],
    private readonly acquire: (forceRefresh: boolean) => Promise<AcquiredToken>,
    private readonly marginMs: number,
    private readonly now: () => number,
    private readonly retry: RetryOptions,
    private readonly log: ((line: string) => void) | undefined,
  ) {}

  /**
   * `acquire` with retries of transient failures (token endpoint 429/5xx, resets, timeouts), by the
   * rules reads follow: asking for a token again is harmless, it only issues another token. Refusals
   * (wrong secret, unknown app, unreadable certificate, DNS or TLS failure) are reported at once.
   */
  private async acquireWithRetries(force: boolean): Promise<AcquiredToken> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.acquire(force);
      } catch (error) {
        if (!(error instanceof DefenderError)) throw error;
        const decision = decideRetry({ method: "GET", attempt, failure: error }, this.retry);
        if (!decision.retry) throw error;
        this.log?.(
          `token: ${error.code}${error.status ? ` ${error.status}` : ""}; retrying in ${decision.delayMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
      }
    }
  }

  getToken(options: GetTokenOptions = {}): Promise<string> {
    const nowMs = this.now();
    if (this.cached && nowMs < this.cached.refreshAtMs) return Promise.resolve(this.cached.token);
    if (!this.inflight) {
      const force = this.forceRefresh;
      this.forceRefresh = false;
      this.inflight = this.acquireWithRetries(force)
        .then(({ token, expiresOnMs }) => {
          const issuedAt = this.now();
          // A token shorter-lived than twice the margin (emulator) is reused for half its life instead.
          const margin = Math.min(this.marginMs, Math.max(0, (expiresOnMs - issuedAt) / 2));
          this.cached = { token, refreshAtMs: expiresOnMs - margin };
          return token;
        })
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return withAbort(this.inflight, options.signal);
  }

  invalidate(refused?: string): void {
    if (refused !== undefined && this.cached !== undefined && this.cached.token !== refused) return;
    if (refused !== undefined && this.cached === undefined && this.inflight !== undefined) return;
    this.cached = undefined;
    this.forceRefresh = true;
  }
}

class StaticTokenProvider implements TokenProvider {
  readonly kind = "accessToken" as const;
  readonly canRefresh = false;

  constructor(
    private readonly token: string,
    private readonly now: () => number,
  ) {}

  async getToken(): Promise<string> {
    const exp = jwtExpiryMs(this.token);
    if (exp !== undefined && exp <= this.now()) {
      throw new DefenderError(
        "MDE_AUTH_FAILED",
        `The static access token (mde:accessToken / MDE_ACCESS_TOKEN) expired at ${new Date(exp).toISOString()}. ` +
          "Obtain a new one, e.g. `az account get-access-token --resource https://api.securitycenter.microsoft.com`, " +
          "or configure a client credential so tokens are renewed automatically.",
        { operation: "token" },
      );
    }
    return this.token;
  }

  invalidate(_refused?: string): void {
    // Nothing to renew: the caller reports the 401.
  }
}

function jwtExpiryMs(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function withAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function abortError(): DefenderError {
  return new DefenderError("MDE_ABORTED", "The operation was aborted while waiting for an access token.", {
    operation: "token",
  });
}

/**
 * Authority metadata for a non-Microsoft authority host (emulator, test double), so MSAL makes no instance
 * discovery or OpenID configuration requests: the token POST is then the only call.
 */
export function authorityMetadataFor(authorityHost: string, tenantId: string): string {
  const base = `${authorityHost}/${tenantId}`;
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/openid/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid"],
    tenant_region_scope: null,
    cloud_instance_name: new URL(authorityHost).host,
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
  });
}

/** Reads a PEM holding a certificate and its private key into MSAL's certificate credential. */
async function loadCertificate(
  path: string,
): Promise<{ thumbprintSha256: string; privateKey: string; x5c: string }> {
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (e) {
    throw configError(
      "mde:clientCertificatePath",
      "a readable PEM file with the certificate and its private key",
      path,
      `Reading it failed (${(e as NodeJS.ErrnoException).code ?? "error"}).`,
    );
  }
  const certPem = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  const keyPem = pem.match(
    /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/,
  )?.[0];
  if (!certPem || !keyPem) {
    throw configError(
      "mde:clientCertificatePath",
      "a PEM file containing both the certificate and its unencrypted private key",
      path,
      "Concatenate the certificate and key PEM blocks into one file.",
    );
  }
  const thumbprintSha256 = new X509Certificate(certPem).fingerprint256.replaceAll(":", "").toLowerCase();
  // MSAL signs with the key as given; PKCS#8 is the form every Node version accepts for PS256/RS256.
  const privateKey = createPrivateKey(keyPem).export({ format: "pem", type: "pkcs8" }).toString();
  registerSecret(privateKey);
  registerSecret(keyPem);
  return { thumbprintSha256, privateKey, x5c: certPem };
}

function loggerOptions(
  log: ((line: string) => void) | undefined,
): NonNullable<Configuration["system"]>["loggerOptions"] {
  return {
    piiLoggingEnabled: false,
    // 0 = Error in MSAL's LogLevel enum: warnings such as "no client info" are normal for client credentials.
    logLevel: 0,
    loggerCallback: (_level, message, containsPii) => {
      if (!containsPii && log) log(redact(`msal: ${message}`));
    },
  };
}

function isMicrosoftAuthority(authorityHost: string): boolean {
  return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
}

async function createConfidentialClient(
  settings: Settings,
  credential: Extract<Credential, { kind: "clientSecret" | "clientCertificate" | "federatedToken" }>,
  options: TokenProviderOptions,
  onNetworkError: (error: DefenderError) => void,
): Promise<ConfidentialClientApplication> {
  const msal = await import("@azure/msal-node");
  const auth: Configuration["auth"] = {
    clientId: credential.clientId,
    authority: `${settings.authorityHost}/${credential.tenantId}`,
  };
  if (!isMicrosoftAuthority(settings.authorityHost)) {
    auth.knownAuthorities = [new URL(settings.authorityHost).host];
    auth.authorityMetadata = authorityMetadataFor(settings.authorityHost, credential.tenantId);
  }
  if (credential.kind === "clientSecret") {
    auth.clientSecret = credential.clientSecret;
  } else if (credential.kind === "clientCertificate") {
    auth.clientCertificate = await loadCertificate(credential.certificatePath);
  } else {
    const path = credential.tokenFilePath;
    // Re-read on every token request: the platform rotates the file (AKS, GitHub Actions).
    auth.clientAssertion = async () => {
      let assertion: string;
      try {
        assertion = (await readFile(path, "utf8")).trim();
      } catch (e) {
        throw configError(
          "mde:federatedTokenFile",
          "a readable federated token file",
          path,
          `Reading it failed (${(e as NodeJS.ErrnoException).code ?? "error"}).`,
        );
      }
      registerSecret(assertion);
      return assertion;
    };
  }
  return new msal.ConfidentialClientApplication({
    auth,
    system: {
      networkClient: createMsalNetworkClient(getDispatcher(settings), {
        onNetworkError,
        ...(options.log ? { log: options.log } : {}),
      }),
      loggerOptions: loggerOptions(options.log),
    },
  });
}

async function createManagedIdentityClient(
  settings: Settings,
  clientId: string | undefined,
  options: TokenProviderOptions,
  onNetworkError: (error: DefenderError) => void,
): Promise<ManagedIdentityApplication> {
  const msal = await import("@azure/msal-node");
  return new msal.ManagedIdentityApplication({
    ...(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {}),
    system: {
      networkClient: createMsalNetworkClient(getDispatcher(settings), {
        onNetworkError,
        ...(options.log ? { log: options.log } : {}),
      }),
      loggerOptions: loggerOptions(options.log),
    },
  });
}

const KIND_LABELS: Readonly<Record<Credential["kind"], string>> = {
  clientSecret: "client secret",
  clientCertificate: "client certificate",
  federatedToken: "federated token file",
  managedIdentity: "managed identity",
  accessToken: "static token",
};

function buildProvider(settings: Settings, options: TokenProviderOptions): TokenProvider {
  const now = options.now ?? Date.now;
  const credential = settings.credential;
  if (credential.kind === "accessToken") {
    registerSecret(credential.accessToken);
    return new StaticTokenProvider(credential.accessToken, now);
  }
  const what = KIND_LABELS[credential.kind];
  let networkFailure: DefenderError | undefined;
  const onNetworkError = (error: DefenderError) => {
    networkFailure = error;
  };
  const marginMs = TOKEN_REFRESH_MARGIN_MS / settings.timeScale;
  const retry: RetryOptions = { timeScale: settings.timeScale, ...options.retry };

  if (credential.kind === "managedIdentity") {
    let app: Promise<ManagedIdentityApplication> | undefined;
    const resource = settings.scope.replace(/\/\.default$/, "");
    return new CachingTokenProvider(
      credential.kind,
      async (forceRefresh) => {
        networkFailure = undefined;
        try {
          app ??= createManagedIdentityClient(settings, credential.clientId, options, onNetworkError);
          const result = await (await app).acquireToken({ resource, forceRefresh });
          return toAcquired(result, now);
        } catch (error) {
          throw authError(error, what, networkFailure);
        }
      },
      marginMs,
      now,
      retry,
      options.log,
    );
  }

  let app: Promise<ConfidentialClientApplication> | undefined;
  return new CachingTokenProvider(
    credential.kind,
    async (forceRefresh) => {
      networkFailure = undefined;
      try {
        app ??= createConfidentialClient(settings, credential, options, onNetworkError).catch((e) => {
          app = undefined; // a fixed certificate file may be retried
          throw e;
        });
        const result = await (await app).acquireTokenByClientCredential({
          scopes: [settings.scope],
          skipCache: forceRefresh,
        });
        return toAcquired(result, now);
      } catch (error) {
        throw authError(error, what, networkFailure);
      }
    },
    marginMs,
    now,
    retry,
    options.log,
  );
}

function toAcquired(
  result: { accessToken: string; expiresOn: Date | null } | null,
  now: () => number,
): AcquiredToken {
  if (!result?.accessToken) {
    throw new DefenderError("MDE_AUTH_FAILED", "The token endpoint returned no access token.", {
      operation: "token",
    });
  }
  registerSecret(result.accessToken);
  // Without an expiry, assume the documented one-hour lifetime rather than caching forever.
  const expiresOnMs = result.expiresOn ? result.expiresOn.getTime() : now() + 3_600_000;
  return { token: result.accessToken, expiresOnMs };
}

// Module-level: one provider per credential for the whole process, so every resource shares the token.
const providers = new Map<string, TokenProvider>();

/**
 * The process-wide token provider for `settings`' credential (created on first use; no I/O until the first
 * `getToken`). Options apply only when the provider is created.
 */
export function getTokenProvider(settings: Settings, options: TokenProviderOptions = {}): TokenProvider {
  const key = credentialFingerprint(settings);
  let provider = providers.get(key);
  if (!provider) {
    provider = buildProvider(settings, options);
    providers.set(key, provider);
  }
  return provider;
}

/** Forgets every shared token provider. For tests. */
export function resetTokenProviders(): void {
  providers.clear();
}
