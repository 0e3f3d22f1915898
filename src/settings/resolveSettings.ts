/**
 * Provider settings: stack configuration (`mde:*` keys) with environment fallbacks, validated once and
 * resolved into endpoints, one credential and rate budgets.
 */
import { readFileSync } from "node:fs";
import { configError } from "../core/errors";
import { tokenIdentity } from "../core/jwtClaims";
import { registerSecret } from "../core/redact";
import { CLOUDS, type CloudName, DEFAULT_CLOUD, isMicrosoftHost } from "./clouds";
import {
  type ConfigKey,
  DEFAULT_RATE_LIMIT_PER_HOUR,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_TIME_SCALE,
  MAX_TIME_SCALE,
  MIN_TIME_SCALE,
} from "./configKeys";
import { nonEmpty, parseEndpoint, parsePositive, requireReadable } from "./configValues";
import { type Credential, chooseCredential } from "./credentials";

/** Resolved, validated provider settings. */
export interface Settings {
  /** The `mde:cloud` used for defaults. */
  readonly cloud: CloudName;
  /** API origin (plus any path prefix), without trailing slash and without `/api`. */
  readonly apiEndpoint: string;
  /** Entra ID authority host origin, without trailing slash. */
  readonly authorityHost: string;
  /** OAuth scope requested for the Defender API. */
  readonly scope: string;
  /** Tenant id, when the credential has one. */
  readonly tenantId?: string;
  /** Application (client) id, when known. */
  readonly clientId?: string;
  /** The one credential to use. */
  readonly credential: Credential;
  /** Calls per minute per endpoint family (the package link family is capped at 2). */
  readonly rateLimitPerMinute: number;
  /** Calls per hour per endpoint family (the package link family is capped at 120). */
  readonly rateLimitPerHour: number;
  /** Path of an extra CA bundle (PEM) trusted in addition to the default roots. */
  readonly caCertPath?: string;
  /** Contents of {@link caCertPath}, read at resolution. */
  readonly caCertPem?: string;
  /** Divides every rate window, poll delay and backoff (emulator exercises). 1 = real time. */
  readonly timeScale: number;
  /** The connection profile these settings are, when not the stack's top-level (default) one. */
  readonly profile?: string;
}

/**
 * Resolves and validates provider settings.
 *
 * @param config - Stack configuration with namespaced keys (`mde:clientId`, ...); missing and empty values
 *   fall back to the environment.
 * @param env - Environment for fallbacks: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`,
 *   `AZURE_CLIENT_CERTIFICATE_PATH`, `AZURE_FEDERATED_TOKEN_FILE`, `MDE_ACCESS_TOKEN`, `MDE_API_ENDPOINT`,
 *   `AZURE_AUTHORITY_HOST`, `MDE_CA_CERT_PATH`.
 * @throws DefenderError `MDE_CONFIG_INVALID` naming the key, what was expected, what was given (never a
 *   secret) and what to do.
 *
 * Credential choice: exactly one credential key may be set in `config` (two are an error naming both);
 * when none is, the environment is used in the order `MDE_ACCESS_TOKEN`, `AZURE_CLIENT_SECRET`,
 * `AZURE_CLIENT_CERTIFICATE_PATH`, `AZURE_FEDERATED_TOKEN_FILE`. Managed identity is used only when
 * `mde:useManagedIdentity` is true. Secrets found are registered for redaction.
 */
export function resolveSettings(
  config: Record<string, string | undefined>,
  env: Record<string, string | undefined> = process.env,
): Settings {
  const cfg = (key: ConfigKey) => nonEmpty(config[key]);
  const fromEnv = (name: string) => nonEmpty(env[name]);

  // Register secrets before anything can throw, so no later message can carry them.
  registerSecret(cfg("mde:clientSecret"));
  registerSecret(cfg("mde:accessToken"));
  registerSecret(fromEnv("AZURE_CLIENT_SECRET"));
  registerSecret(fromEnv("MDE_ACCESS_TOKEN"));

  const cloudValue = cfg("mde:cloud") ?? DEFAULT_CLOUD;
  if (!Object.hasOwn(CLOUDS, cloudValue)) {
    throw configError(
      "mde:cloud",
      `one of ${Object.keys(CLOUDS).join(", ")}`,
      cloudValue,
      "Use mde:apiEndpoint and mde:authorityHost for any other endpoint.",
    );
  }
  const cloud = cloudValue as CloudName;
  const defaults = CLOUDS[cloud];

  const endpointKey = cfg("mde:apiEndpoint") ? "mde:apiEndpoint" : "MDE_API_ENDPOINT";
  const endpointValue = cfg("mde:apiEndpoint") ?? fromEnv("MDE_API_ENDPOINT");
  const apiEndpoint = endpointValue ? parseEndpoint(endpointKey, endpointValue, true) : defaults.apiEndpoint;

  const authorityKey = cfg("mde:authorityHost") ? "mde:authorityHost" : "AZURE_AUTHORITY_HOST";
  const authorityValue = cfg("mde:authorityHost") ?? fromEnv("AZURE_AUTHORITY_HOST");
  // MSAL refuses http:// authorities before any request, so loopback http is not accepted here.
  const authorityHost = authorityValue
    ? parseEndpoint(authorityKey, authorityValue, false)
    : defaults.authorityHost;

  // Against Microsoft's own hosts the documented limits are the ceiling: asking for more only trades a
  // client-side wait for 429s. A custom endpoint (emulator, proxy) may allow anything.
  const microsoft = isMicrosoftHost(new URL(apiEndpoint).hostname);
  const ceiling = (documented: number, window: string) =>
    microsoft
      ? {
          value: documented,
          why: `Microsoft documents ${documented} calls per ${window} per application and tenant; a higher value only brings 429s. Lower it to leave room for other callers.`,
        }
      : undefined;
  const rateLimitPerMinute = parsePositive(
    "mde:rateLimitPerMinute",
    cfg("mde:rateLimitPerMinute"),
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    true,
    ceiling(DEFAULT_RATE_LIMIT_PER_MINUTE, "minute"),
  );
  const rateLimitPerHour = parsePositive(
    "mde:rateLimitPerHour",
    cfg("mde:rateLimitPerHour"),
    DEFAULT_RATE_LIMIT_PER_HOUR,
    true,
    ceiling(DEFAULT_RATE_LIMIT_PER_HOUR, "hour"),
  );
  const timeScale = parsePositive("mde:timeScale", cfg("mde:timeScale"), DEFAULT_TIME_SCALE, false, {
    value: MAX_TIME_SCALE,
    why: "mde:timeScale only speeds up an emulator's clock; remove it for real time.",
  });
  if (timeScale !== DEFAULT_TIME_SCALE && (microsoft || timeScale < MIN_TIME_SCALE)) {
    throw configError(
      "mde:timeScale",
      microsoft ? "1 (real time) against Microsoft's API" : `at least ${MIN_TIME_SCALE}`,
      String(timeScale),
      "mde:timeScale is for a time-scaled emulator (mde:apiEndpoint pointing at it): remove it for the real service.",
    );
  }

  const caKey = cfg("mde:caCertPath") ? "mde:caCertPath" : "MDE_CA_CERT_PATH";
  const caCertPath = cfg("mde:caCertPath") ?? fromEnv("MDE_CA_CERT_PATH");
  let caCertPem: string | undefined;
  if (caCertPath) {
    requireReadable(caKey, caCertPath, "PEM file of CA certificates");
    caCertPem = readFileSync(caCertPath, "utf8");
    if (!caCertPem.includes("-----BEGIN CERTIFICATE-----")) {
      throw configError(
        caKey,
        "a PEM file containing -----BEGIN CERTIFICATE----- blocks",
        caCertPath,
        "Convert the CA certificate to PEM.",
      );
    }
  }

  const credential = chooseCredential({
    config: cfg,
    env: fromEnv,
    tenantId: cfg("mde:tenantId") ?? fromEnv("AZURE_TENANT_ID"),
    clientId: cfg("mde:clientId") ?? fromEnv("AZURE_CLIENT_ID"),
  });
  const tenantId = cfg("mde:tenantId") ?? fromEnv("AZURE_TENANT_ID");
  const clientId = cfg("mde:clientId") ?? fromEnv("AZURE_CLIENT_ID");

  const settings: Settings = {
    cloud,
    apiEndpoint,
    authorityHost,
    scope: defaults.scope,
    // A token's own claims say which application and tenant it belongs to; prefer them for the fingerprint.
    ...(credential.kind === "accessToken"
      ? { tenantId, clientId, ...tokenIdentity(credential.accessToken) }
      : { tenantId, clientId }),
    credential,
    rateLimitPerMinute,
    rateLimitPerHour,
    ...(caCertPath ? { caCertPath, caCertPem } : {}),
    timeScale,
  };
  return settings;
}
