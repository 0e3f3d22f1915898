/**
 * The lower layers' parts for one `Settings`: the dispatcher, token source, rate limiter and HTTP client
 * that a Defender client of those settings uses. The lower layers take narrow options; this is the one
 * place that maps settings onto them.
 */

import type { Dispatcher } from "undici";
import {
  getTokenProvider,
  type TokenProvider,
  type TokenProviderOptions,
  type TokenSource,
} from "../auth/tokenProvider";
import { getDispatcher } from "../http/dispatcher";
import { HttpClient } from "../http/httpClient";
import type { EndpointFamily, FamilyLimits } from "../limits/familyBudget";
import type { RateLimiter } from "../limits/rateLimiter";
import { getRateLimiter, limitsFor } from "../limits/sharedLimiters";
import { credentialFingerprint, settingsFingerprint } from "../settings/fingerprints";
import type { Settings } from "../settings/resolveSettings";
import { apiStatusError } from "./apiStatusError";

/** The shared dispatcher of the settings' quota and CA. */
export function dispatcherFor(settings: Settings): Dispatcher {
  return getDispatcher({
    quotaKey: settingsFingerprint(settings),
    ...(settings.caCertPath ? { caCertPath: settings.caCertPath } : {}),
    ...(settings.caCertPem ? { caCertPem: settings.caCertPem } : {}),
  });
}

/** Where the settings' tokens come from. */
export function tokenSourceFor(settings: Settings): TokenSource {
  return {
    credential: settings.credential,
    authorityHost: settings.authorityHost,
    scope: settings.scope,
    timeScale: settings.timeScale,
    dispatcher: dispatcherFor(settings),
    cacheKey: credentialFingerprint(settings),
  };
}

/** OAuth scope of Azure Storage (the same in every Azure cloud). */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";

/**
 * The process-wide token provider of the settings' credential for Azure Storage (evidence containers): the
 * same credential as for the Defender API, another scope, its own token cache.
 */
export function storageTokenProviderFor(
  settings: Settings,
  options: TokenProviderOptions = {},
): TokenProvider {
  const source = tokenSourceFor(settings);
  return getTokenProvider(
    { ...source, scope: STORAGE_SCOPE, cacheKey: `${source.cacheKey}|${STORAGE_SCOPE}` },
    options,
  );
}

/** The process-wide token provider of the settings' credential. */
export function tokenProviderFor(settings: Settings, options: TokenProviderOptions = {}): TokenProvider {
  return getTokenProvider(tokenSourceFor(settings), options);
}

/** The limits of every endpoint family under the settings' budget. */
export function limitsForSettings(settings: Settings): Record<EndpointFamily, FamilyLimits> {
  return limitsFor({ perMinute: settings.rateLimitPerMinute, perHour: settings.rateLimitPerHour });
}

/** The process-wide rate limiter of the settings' quota (application, tenant, API host). */
export function rateLimiterFor(settings: Settings): RateLimiter {
  return getRateLimiter({
    quotaKey: settingsFingerprint(settings),
    perMinute: settings.rateLimitPerMinute,
    perHour: settings.rateLimitPerHour,
    timeScale: settings.timeScale,
  });
}

/** An HTTP client of the settings' API endpoint on their shared dispatcher. */
export function httpClientFor(
  settings: Settings,
  options: { log?: (line: string) => void; headersTimeoutMs?: number } = {},
): HttpClient {
  return new HttpClient({
    apiEndpoint: settings.apiEndpoint,
    dispatcher: dispatcherFor(settings),
    statusError: apiStatusError,
    ...options,
  });
}
