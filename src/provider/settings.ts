/**
 * Provider settings: stack configuration (`mde:*` keys) with environment fallbacks, validated once and
 * resolved into endpoints, one credential and rate budgets. Every other provider module takes `Settings`.
 */
import { createHash, X509Certificate } from "node:crypto";
import { accessSync, constants as fsConstants, readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { configError, DefenderError } from "./errors";
import { registerSecret } from "./redact";

/** Cloud names accepted by `mde:cloud`. */
export type CloudName = "commercial" | "us" | "eu" | "uk" | "au" | "swa" | "ina" | "gcc" | "gcc-high" | "dod";

/** Endpoints of one Defender cloud. */
export interface CloudEndpoints {
  /** API origin; paths are under `/api`. */
  apiEndpoint: string;
  /** Entra ID authority host. */
  authorityHost: string;
  /** OAuth scope of the Defender API. */
  scope: string;
}

const COMMERCIAL_SCOPE = "https://api.securitycenter.microsoft.com/.default";
const COMMERCIAL_AUTHORITY = "https://login.microsoftonline.com";
const geo = (region: string): CloudEndpoints => ({
  apiEndpoint: `https://${region}.api.security.microsoft.com`,
  authorityHost: COMMERCIAL_AUTHORITY,
  scope: COMMERCIAL_SCOPE,
});
const GOV: CloudEndpoints = {
  apiEndpoint: "https://api-gov.securitycenter.microsoft.us",
  authorityHost: "https://login.microsoftonline.us",
  scope: "https://api-gov.securitycenter.microsoft.us/.default",
};

/** Endpoints per cloud, from Microsoft's API reference. */
export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = {
  commercial: {
    apiEndpoint: "https://api.security.microsoft.com",
    authorityHost: COMMERCIAL_AUTHORITY,
    scope: COMMERCIAL_SCOPE,
  },
  us: geo("us"),
  eu: geo("eu"),
  uk: geo("uk"),
  au: geo("au"),
  swa: geo("swa"),
  ina: geo("ina"),
  gcc: {
    apiEndpoint: "https://api-gcc.securitycenter.microsoft.us",
    authorityHost: COMMERCIAL_AUTHORITY,
    scope: "https://api-gcc.securitycenter.microsoft.us/.default",
  },
  "gcc-high": GOV,
  dod: GOV,
};

/** Default `mde:cloud`. */
export const DEFAULT_CLOUD: CloudName = "commercial";
/** Default calls per minute per endpoint family (Microsoft's documented per-app limit). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 100;
/** Default calls per hour per endpoint family (Microsoft's documented per-app limit). */
export const DEFAULT_RATE_LIMIT_PER_HOUR = 1500;
/** Default `mde:timeScale`: real time. */
export const DEFAULT_TIME_SCALE = 1;

/** The credential chosen from configuration. Secret fields are non-enumerable (kept out of JSON/inspect). */
export type Credential =
  | { kind: "clientSecret"; tenantId: string; clientId: string; readonly clientSecret: string }
  | { kind: "clientCertificate"; tenantId: string; clientId: string; certificatePath: string }
  | { kind: "federatedToken"; tenantId: string; clientId: string; tokenFilePath: string }
  /** `clientId` selects a user-assigned identity; absent means system-assigned. */
  | { kind: "managedIdentity"; clientId?: string }
  | { kind: "accessToken"; readonly accessToken: string };

/** Kinds of {@link Credential}. */
export type CredentialKind = Credential["kind"];

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
}

/** Configuration keys understood by {@link resolveSettings}. */
export const CONFIG_KEYS = [
  "mde:tenantId",
  "mde:clientId",
  "mde:clientSecret",
  "mde:clientCertificatePath",
  "mde:federatedTokenFile",
  "mde:useManagedIdentity",
  "mde:accessToken",
  "mde:cloud",
  "mde:apiEndpoint",
  "mde:authorityHost",
  "mde:rateLimitPerMinute",
  "mde:rateLimitPerHour",
  "mde:caCertPath",
  "mde:timeScale",
] as const;

/** A configuration key understood by {@link resolveSettings}. */
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** The credential keys of configuration, in the order used when only the environment provides one. */
const CREDENTIAL_SOURCES: ReadonlyArray<{ kind: CredentialKind; key: ConfigKey; env?: string }> = [
  { kind: "accessToken", key: "mde:accessToken", env: "MDE_ACCESS_TOKEN" },
  { kind: "clientSecret", key: "mde:clientSecret", env: "AZURE_CLIENT_SECRET" },
  { kind: "clientCertificate", key: "mde:clientCertificatePath", env: "AZURE_CLIENT_CERTIFICATE_PATH" },
  { kind: "federatedToken", key: "mde:federatedTokenFile", env: "AZURE_FEDERATED_TOKEN_FILE" },
  { kind: "managedIdentity", key: "mde:useManagedIdentity" },
];

const LOOPBACK_NAMES = new Set(["localhost", "[::1]", "::1"]);

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** True for 127.0.0.0/8, ::1 and `localhost` (names that cannot leave the machine). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(host) || host.endsWith(".localhost")) return true;
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
  return false;
}

function parseEndpoint(key: string, value: string, allowLoopbackHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(
      key,
      "an absolute https:// URL",
      value,
      "Give the full URL, e.g. https://api.security.microsoft.com.",
    );
  }
  if (url.protocol === "http:") {
    if (!allowLoopbackHttp || !isLoopbackHost(url.hostname)) {
      throw configError(
        key,
        allowLoopbackHttp ? "an https:// URL (http:// only for loopback hosts)" : "an https:// URL",
        value,
        "Use https://: tokens must not travel in clear text.",
      );
    }
  } else if (url.protocol !== "https:") {
    throw configError(key, "an https:// URL", value, "Use an https:// URL.");
  }
  if (url.search || url.hash || url.username || url.password) {
    throw configError(
      key,
      "a URL without query, fragment or credentials",
      `${url.origin}${url.pathname}`,
      "Remove the query string, fragment and user info.",
    );
  }
  // Paths in requests are `/api/...`; accept a base given with `/api` or `/api/v1.0` (same API).
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api(\/v1\.0)?$/i, "");
  return `${url.origin}${path}`;
}

function parsePositive(key: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw configError(
      key,
      integer ? "a positive integer" : "a positive number",
      value,
      `Set ${key} to e.g. ${fallback}, or remove it to use the default (${fallback}).`,
    );
  }
  return n;
}

function parseBoolean(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === "true" || v === "1" || v === "yes") return true;
  if (v === "false" || v === "0" || v === "no") return false;
  throw configError(key, '"true" or "false"', value, `Set ${key} to true or false.`);
}

function requireReadable(key: string, path: string, what: string): void {
  try {
    accessSync(path, fsConstants.R_OK);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw configError(
      key,
      `a readable ${what}`,
      path,
      `The file cannot be read (${reason}): check the path and permissions.`,
    );
  }
  // A folder passes the access check but fails the read with a bare EISDIR: say what is wrong instead.
  if (!statSync(path).isFile()) {
    throw configError(
      key,
      `a readable ${what}`,
      path,
      "This path is not a file: give the path of the file itself.",
    );
  }
}

function requireIdentity(
  kind: CredentialKind,
  credentialKey: string,
  tenantId: string | undefined,
  clientId: string | undefined,
): { tenantId: string; clientId: string } {
  if (!tenantId) {
    throw configError(
      "mde:tenantId",
      `the Entra ID tenant id (a GUID) because ${credentialKey} selects ${kind} authentication`,
      undefined,
      "Set mde:tenantId or AZURE_TENANT_ID.",
    );
  }
  if (!clientId) {
    throw configError(
      "mde:clientId",
      `the application (client) id because ${credentialKey} selects ${kind} authentication`,
      undefined,
      "Set mde:clientId or AZURE_CLIENT_ID.",
    );
  }
  return { tenantId, clientId };
}

function hideSecret<T extends object>(target: T, field: string, value: string): T {
  Object.defineProperty(target, field, { value, enumerable: false, writable: false });
  return target;
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

  const rateLimitPerMinute = parsePositive(
    "mde:rateLimitPerMinute",
    cfg("mde:rateLimitPerMinute"),
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    true,
  );
  const rateLimitPerHour = parsePositive(
    "mde:rateLimitPerHour",
    cfg("mde:rateLimitPerHour"),
    DEFAULT_RATE_LIMIT_PER_HOUR,
    true,
  );
  const timeScale = parsePositive("mde:timeScale", cfg("mde:timeScale"), DEFAULT_TIME_SCALE, false);

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

  const tenantId = cfg("mde:tenantId") ?? fromEnv("AZURE_TENANT_ID");
  const clientId = cfg("mde:clientId") ?? fromEnv("AZURE_CLIENT_ID");

  const useManagedIdentity = parseBoolean("mde:useManagedIdentity", cfg("mde:useManagedIdentity"));
  const explicit = CREDENTIAL_SOURCES.filter(({ key, kind }) =>
    kind === "managedIdentity" ? useManagedIdentity === true : cfg(key) !== undefined,
  );
  if (explicit.length > 1) {
    const keys = explicit.map((s) => s.key);
    throw new DefenderError(
      "MDE_CONFIG_INVALID",
      `Invalid credential configuration: ${keys.join(" and ")} are both set, but exactly one credential kind may be ` +
        `configured. Remove all but one of ${keys.join(", ")}.`,
      { configKey: keys[1] as string },
    );
  }
  let chosen: { kind: CredentialKind; key: string; value: string } | undefined;
  const first = explicit[0];
  if (first) {
    chosen = { kind: first.kind, key: first.key, value: cfg(first.key) ?? "true" };
  } else {
    for (const source of CREDENTIAL_SOURCES) {
      const value = source.env ? fromEnv(source.env) : undefined;
      if (source.env && value) {
        chosen = { kind: source.kind, key: source.env, value };
        break;
      }
    }
  }
  if (!chosen) {
    throw new DefenderError(
      "MDE_CONFIG_INVALID",
      "No Defender credential is configured. Set one of mde:clientSecret (or AZURE_CLIENT_SECRET), " +
        "mde:clientCertificatePath (AZURE_CLIENT_CERTIFICATE_PATH), mde:federatedTokenFile (AZURE_FEDERATED_TOKEN_FILE), " +
        "mde:useManagedIdentity=true, or mde:accessToken (MDE_ACCESS_TOKEN); client credentials also need " +
        "mde:tenantId and mde:clientId.",
      { configKey: "mde:clientSecret" },
    );
  }

  let credential: Credential;
  switch (chosen.kind) {
    case "accessToken":
      credential = hideSecret({ kind: "accessToken" } as Credential, "accessToken", chosen.value);
      break;
    case "clientSecret":
      credential = hideSecret(
        {
          kind: "clientSecret",
          ...requireIdentity("clientSecret", chosen.key, tenantId, clientId),
        } as Credential,
        "clientSecret",
        chosen.value,
      );
      break;
    case "clientCertificate": {
      const ids = requireIdentity("clientCertificate", chosen.key, tenantId, clientId);
      requireReadable(chosen.key, chosen.value, "PEM file with the certificate and its private key");
      validateCertificateFile(chosen.key, chosen.value);
      credential = { kind: "clientCertificate", ...ids, certificatePath: chosen.value };
      break;
    }
    case "federatedToken": {
      const ids = requireIdentity("federatedToken", chosen.key, tenantId, clientId);
      requireReadable(chosen.key, chosen.value, "federated token file");
      credential = { kind: "federatedToken", ...ids, tokenFilePath: chosen.value };
      break;
    }
    case "managedIdentity":
      credential = clientId ? { kind: "managedIdentity", clientId } : { kind: "managedIdentity" };
      break;
  }

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

function validateCertificateFile(key: string, path: string): void {
  const pem = readFileSync(path, "utf8");
  const certMatch = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
  const hasKey = /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem);
  if (!certMatch || !hasKey) {
    throw configError(
      key,
      "a PEM file containing both the certificate and its (unencrypted) private key",
      path,
      `The file lacks ${certMatch ? "a private key" : "a certificate"}: concatenate the certificate and key PEM blocks into one file.`,
    );
  }
  try {
    new X509Certificate(certMatch[0]);
  } catch {
    throw configError(
      key,
      "a valid X.509 certificate in PEM",
      path,
      "The certificate block could not be parsed.",
    );
  }
}

/** Reads `tid` and `appid`/`azp` from a JWT without verifying it, for the fingerprint only. */
function tokenIdentity(token: string): { tenantId?: string; clientId?: string } {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const out: { tenantId?: string; clientId?: string } = {};
    if (typeof claims.tid === "string") out.tenantId = claims.tid;
    const app = claims.appid ?? claims.azp;
    if (typeof app === "string") out.clientId = app;
    return out;
  } catch {
    return {};
  }
}

/**
 * The key identifying (application, tenant, API host): what shares the real API quota, and so the rate
 * limiter and HTTP agents. Token providers add the credential on top (see `credentialFingerprint`).
 * A static token whose claims cannot be read is identified by a digest of the token.
 */
export function settingsFingerprint(settings: Settings): string {
  const host = new URL(settings.apiEndpoint).host.toLowerCase();
  let app = settings.clientId ?? "";
  if (!app && settings.credential.kind === "managedIdentity") app = "system-assigned-managed-identity";
  if (!app && settings.credential.kind === "accessToken") {
    app = `token:${createHash("sha256").update(settings.credential.accessToken).digest("hex").slice(0, 16)}`;
  }
  return `${app}|${(settings.tenantId ?? "").toLowerCase()}|${host}`;
}

/**
 * The key identifying a credential: the settings fingerprint plus the credential kind, the authority and a
 * digest of the secret material, so a rotated secret gets a fresh token cache. Never contains a secret.
 */
export function credentialFingerprint(settings: Settings): string {
  const c = settings.credential;
  const material =
    c.kind === "clientSecret"
      ? c.clientSecret
      : c.kind === "accessToken"
        ? c.accessToken
        : c.kind === "clientCertificate"
          ? c.certificatePath
          : c.kind === "federatedToken"
            ? c.tokenFilePath
            : (c.clientId ?? "");
  const digest = createHash("sha256").update(material).digest("hex").slice(0, 16);
  return `${settingsFingerprint(settings)}|${c.kind}|${settings.authorityHost}|${settings.scope}|${digest}`;
}
