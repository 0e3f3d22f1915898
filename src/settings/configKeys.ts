/**
 * The `mde:*` configuration keys and the defaults of the non-credential settings.
 */

/** Default calls per minute per endpoint family (Microsoft's documented per-app limit). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 100;
/** Default calls per hour per endpoint family (Microsoft's documented per-app limit). */
export const DEFAULT_RATE_LIMIT_PER_HOUR = 1500;
/** Default `mde:timeScale`: real time. */
export const DEFAULT_TIME_SCALE = 1;
/** Largest `mde:timeScale`: beyond it, timers of a millisecond stand for minutes and nothing is measured. */
export const MAX_TIME_SCALE = 100_000;
/** Smallest `mde:timeScale` other than 1 (slower than real time, for watching an exercise). */
export const MIN_TIME_SCALE = 0.01;

/** Configuration keys understood by {@link resolveSettings}. */
export const CONFIG_KEYS = [
  "mde:tenantId",
  "mde:clientId",
  "mde:clientSecret",
  "mde:clientCertificatePath",
  "mde:federatedTokenFile",
  "mde:useManagedIdentity",
  "mde:useAzureCli",
  "mde:useOidc",
  "mde:accessToken",
  "mde:cloud",
  "mde:apiEndpoint",
  "mde:authorityHost",
  "mde:rateLimitPerMinute",
  "mde:rateLimitPerHour",
  "mde:caCertPath",
  "mde:timeScale",
  // Named connection profiles, one per tenant or application (see profiles.ts).
  "mde:profiles",
] as const;

/** A configuration key understood by {@link resolveSettings}. */
export type ConfigKey = (typeof CONFIG_KEYS)[number];
