/**
 * Access tokens for the Defender API, one provider per credential, shared by every resource in the
 * process: MSAL confidential client (secret, certificate, federated token file), MSAL managed identity, the
 * user signed in to the Azure CLI, or a static bearer token.
 *
 * Concurrent callers share one token request (MSAL alone would send one per caller on an empty cache),
 * and a token is reused until less than {@link TOKEN_REFRESH_MARGIN_MS} (divided by the time scale) is left.
 */

import type { ConfidentialClientApplication, ManagedIdentityApplication } from "@azure/msal-node";
import type { Dispatcher } from "undici";
import { DefenderError } from "../core/errors";
import { registerSecret } from "../core/redact";
import type { RetryOptions } from "../retry/retryStrategy";
import type { Credential } from "../settings/credentials";
import { acceptToken } from "./acceptToken";
import { authError } from "./authErrors";
import { type AzureCliRunOptions, createAzureCliAcquire } from "./azureCliAcquire";
import { type AcquiredToken, CachingTokenProvider } from "./cachingTokenProvider";
import { createConfidentialClient, createManagedIdentityClient } from "./msalApps";
import { StaticTokenProvider } from "./staticTokenProvider";

/** Refresh a cached token when less than this is left, in (unscaled) milliseconds. MSAL uses the same 5 min. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

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
  /**
   * How `az` is run for the Azure CLI credential (timeout, executable).
   * @default `az` on PATH with `DEFAULT_AZURE_CLI_TIMEOUT_MS`
   */
  azureCli?: AzureCliRunOptions;
}

const KIND_LABELS: Readonly<Record<Credential["kind"], string>> = {
  clientSecret: "client secret",
  clientCertificate: "client certificate",
  federatedToken: "federated token file",
  managedIdentity: "managed identity",
  accessToken: "static token",
  azureCli: "Azure CLI",
  githubOidc: "GitHub Actions OIDC token",
};

/** The resource of an OAuth scope (`https://host/.default` → `https://host`), as v1 endpoints and `az` want it. */
function resourceOf(scope: string): string {
  return scope.replace(/\/\.default$/, "");
}

/** What a token provider is built from: the credential and where its tokens come from. */
export interface TokenSource {
  /** The credential. */
  credential: Credential;
  /** Entra ID authority host origin. */
  authorityHost: string;
  /** OAuth scope of the Defender API (`.../.default`). */
  scope: string;
  /** Divides the refresh margin and retry delays (emulator exercises). */
  timeScale: number;
  /** The dispatcher token requests go through. */
  dispatcher: Dispatcher;
  /** Identifies the credential (see `credentialFingerprint`): providers are shared by it. */
  cacheKey: string;
}

function buildProvider(source: TokenSource, options: TokenProviderOptions): TokenProvider {
  const now = options.now ?? Date.now;
  const credential = source.credential;
  if (credential.kind === "accessToken") {
    registerSecret(credential.accessToken);
    return new StaticTokenProvider(credential.accessToken, now);
  }
  const what = KIND_LABELS[credential.kind];
  let networkFailure: DefenderError | undefined;
  const onNetworkError = (error: DefenderError) => {
    networkFailure = error;
  };
  const marginMs = TOKEN_REFRESH_MARGIN_MS / source.timeScale;
  const retry: RetryOptions = { timeScale: source.timeScale, ...options.retry };

  if (credential.kind === "azureCli") {
    // The CLI's failures are MDE_AUTH_FAILED without a status, so the shared retry loop does not repeat them.
    const resource = resourceOf(source.scope);
    const acquire = createAzureCliAcquire({
      resource,
      ...(credential.tenantId ? { tenantId: credential.tenantId } : {}),
      ...options.azureCli,
    });
    return new CachingTokenProvider(
      credential.kind,
      async (force) => {
        const acquired = await acquire(force);
        // Before it is cached or used: a token of another tenant or API never reaches a request.
        acceptToken(acquired.token, {
          kind: "azureCli",
          resource,
          ...(credential.tenantId ? { tenantId: credential.tenantId } : {}),
        });
        return acquired;
      },
      { marginMs, now, retry, ...(options.log ? { log: options.log } : {}) },
    );
  }

  if (credential.kind === "managedIdentity") {
    let app: Promise<ManagedIdentityApplication> | undefined;
    const resource = resourceOf(source.scope);
    return new CachingTokenProvider(
      credential.kind,
      async (forceRefresh) => {
        networkFailure = undefined;
        try {
          app ??= createManagedIdentityClient(credential.clientId, {
            dispatcher: source.dispatcher,
            onNetworkError,
            ...(options.log ? { log: options.log } : {}),
          });
          const result = await (await app).acquireToken({ resource, forceRefresh });
          return toAcquired(result, now);
        } catch (error) {
          throw authError(error, what, networkFailure);
        }
      },
      { marginMs, now, retry, ...(options.log ? { log: options.log } : {}) },
    );
  }

  let app: Promise<ConfidentialClientApplication> | undefined;
  return new CachingTokenProvider(
    credential.kind,
    async (forceRefresh) => {
      networkFailure = undefined;
      try {
        app ??= createConfidentialClient(credential, {
          authorityHost: source.authorityHost,
          dispatcher: source.dispatcher,
          onNetworkError,
          ...(options.log ? { log: options.log } : {}),
        }).catch((e) => {
          app = undefined; // a fixed certificate file may be retried
          throw e;
        });
        const result = await (await app).acquireTokenByClientCredential({
          scopes: [source.scope],
          skipCache: forceRefresh,
        });
        const acquired = toAcquired(result, now);
        if (credential.kind === "githubOidc") {
          acceptToken(acquired.token, {
            kind: "githubOidc",
            tenantId: credential.tenantId,
            resource: resourceOf(source.scope),
          });
        }
        return acquired;
      } catch (error) {
        throw authError(error, what, networkFailure);
      }
    },
    { marginMs, now, retry, ...(options.log ? { log: options.log } : {}) },
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
 * The process-wide token provider of a credential (created on first use; no I/O until the first
 * `getToken`). Options apply only when the provider is created.
 */
export function getTokenProvider(source: TokenSource, options: TokenProviderOptions = {}): TokenProvider {
  const key = source.cacheKey;
  let provider = providers.get(key);
  if (!provider) {
    provider = buildProvider(source, options);
    providers.set(key, provider);
  }
  return provider;
}

/** Forgets every shared token provider. For tests. */
export function resetTokenProviders(): void {
  providers.clear();
}
