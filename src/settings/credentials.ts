/**
 * The credential kinds, how each is chosen from configuration, and the checks each needs up front.
 */
import { configError, DefenderError } from "../core/errors";
import { registerSecret } from "../core/redact";
import { readClientCertificate } from "./certificateFile";
import type { ConfigKey } from "./configKeys";
import { parseBoolean, requireReadable } from "./configValues";

/** The credential chosen from configuration. Secret fields are non-enumerable (kept out of JSON/inspect). */
export type Credential =
  | { kind: "clientSecret"; tenantId: string; clientId: string; readonly clientSecret: string }
  | { kind: "clientCertificate"; tenantId: string; clientId: string; certificatePath: string }
  | { kind: "federatedToken"; tenantId: string; clientId: string; tokenFilePath: string }
  /** `clientId` selects a user-assigned identity; absent means system-assigned. */
  | { kind: "managedIdentity"; clientId?: string }
  | { kind: "accessToken"; readonly accessToken: string }
  /**
   * The user signed in to the Azure CLI (`az login`): tokens from `az account get-access-token`.
   * `tenantId` is passed as `--tenant`; absent means the CLI's current tenant.
   */
  | { kind: "azureCli"; tenantId?: string }
  /**
   * GitHub Actions workload identity federation: the runner's ID token (requested from `requestUrl`
   * with the secret `requestToken`) is the client assertion of every token request.
   */
  | {
      kind: "githubOidc";
      tenantId: string;
      clientId: string;
      requestUrl: string;
      readonly requestToken: string;
    };

/**
 * Application (client) id of the Azure CLI, the public client `az login` signs users in with. Delegated
 * calls made with its tokens count against this application's quota in the tenant.
 */
export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/** Kinds of {@link Credential}. */
export type CredentialKind = Credential["kind"];

/**
 * The credential keys of configuration, in the order used when only the environment provides one. Kinds
 * without `env` (managed identity, Azure CLI) are never chosen from the environment: they would pick up
 * whatever identity the machine happens to have, so they must be asked for in config.
 */
export const CREDENTIAL_SOURCES: ReadonlyArray<{ kind: CredentialKind; key: ConfigKey; env?: string }> = [
  { kind: "accessToken", key: "mde:accessToken", env: "MDE_ACCESS_TOKEN" },
  { kind: "clientSecret", key: "mde:clientSecret", env: "AZURE_CLIENT_SECRET" },
  { kind: "clientCertificate", key: "mde:clientCertificatePath", env: "AZURE_CLIENT_CERTIFICATE_PATH" },
  { kind: "federatedToken", key: "mde:federatedTokenFile", env: "AZURE_FEDERATED_TOKEN_FILE" },
  // The names @pulumi/azure-native uses for the same job, so one workflow configures both.
  { kind: "githubOidc", key: "mde:useOidc", env: "ARM_USE_OIDC" },
  { kind: "managedIdentity", key: "mde:useManagedIdentity" },
  { kind: "azureCli", key: "mde:useAzureCli" },
];

/** Boolean config keys: the kind is configured when the key is true, not merely set. */
const FLAG_KINDS: ReadonlySet<CredentialKind> = new Set<CredentialKind>([
  "managedIdentity",
  "azureCli",
  "githubOidc",
]);

// GUID or verified domain. The value becomes an argument of `az`: nothing that could read as an option.
const TENANT_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.-]*$/;

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
  registerSecret(value);
  Object.defineProperty(target, field, { value, enumerable: false, writable: false });
  return target;
}

/** Where a credential's values come from: stack config first, then the environment. */
export interface CredentialSource {
  /** A stack config value, trimmed; undefined when unset or empty. */
  config(key: ConfigKey): string | undefined;
  /** An environment variable, trimmed; undefined when unset or empty. */
  env(name: string): string | undefined;
  /** `mde:tenantId` or `AZURE_TENANT_ID`. */
  tenantId: string | undefined;
  /** `mde:clientId` or `AZURE_CLIENT_ID`. */
  clientId: string | undefined;
}

/**
 * Chooses the one credential: exactly one credential key may be set in config (two are an error naming
 * both; a flag set to false does not count); when none is, the environment in the order of
 * {@link CREDENTIAL_SOURCES}: `MDE_ACCESS_TOKEN`, `AZURE_CLIENT_SECRET`, `AZURE_CLIENT_CERTIFICATE_PATH`,
 * `AZURE_FEDERATED_TOKEN_FILE`. Managed identity (`mde:useManagedIdentity`) and the Azure CLI
 * (`mde:useAzureCli`) are used only when their flag is true in config.
 * @throws DefenderError `MDE_CONFIG_INVALID` naming the key at fault and what to do.
 */
export function chooseCredential(source: CredentialSource): Credential {
  const cfg = source.config;
  const fromEnv = source.env;
  const { tenantId, clientId } = source;
  const explicit = CREDENTIAL_SOURCES.filter(({ key, kind }) =>
    FLAG_KINDS.has(kind) ? parseBoolean(key, cfg(key)) === true : cfg(key) !== undefined,
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
      const raw = source.env ? fromEnv(source.env) : undefined;
      // A flag in the environment counts when it says true (ARM_USE_OIDC=false chooses nothing).
      const value =
        raw !== undefined && FLAG_KINDS.has(source.kind)
          ? parseBoolean(source.env as string, raw)
            ? raw
            : undefined
          : raw;
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
        "mde:useManagedIdentity=true, mde:useAzureCli=true (runs as the user signed in with `az login`), or " +
        "mde:accessToken (MDE_ACCESS_TOKEN); client credentials also need mde:tenantId and mde:clientId.",
      { configKey: "mde:clientSecret" },
    );
  }

  let credential: Credential | undefined;
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
      readClientCertificate(chosen.key, chosen.value);
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
    case "githubOidc": {
      const ids = requireIdentity("githubOidc", chosen.key, tenantId, clientId);
      const requestUrl = fromEnv("ACTIONS_ID_TOKEN_REQUEST_URL") ?? fromEnv("ARM_OIDC_REQUEST_URL");
      const requestToken = fromEnv("ACTIONS_ID_TOKEN_REQUEST_TOKEN") ?? fromEnv("ARM_OIDC_REQUEST_TOKEN");
      if (!requestUrl || !requestToken) {
        throw configError(
          chosen.key,
          "a GitHub Actions job that may request an ID token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN)",
          undefined,
          "Give the job `permissions: id-token: write`; outside GitHub Actions use another credential.",
        );
      }
      if (!/^https:\/\//i.test(requestUrl)) {
        throw configError(
          "ACTIONS_ID_TOKEN_REQUEST_URL",
          "an https:// URL",
          undefined,
          "The runner sets it; do not override it.",
        );
      }
      credential = hideSecret(
        { kind: "githubOidc", ...ids, requestUrl } as Credential,
        "requestToken",
        requestToken,
      );
      break;
    }
    case "azureCli":
      // mde:clientId is not used: the Azure CLI signs users in with its own application.
      if (tenantId !== undefined && !TENANT_PATTERN.test(tenantId)) {
        throw configError(
          "mde:tenantId",
          "a tenant id (GUID) or verified domain, e.g. contoso.onmicrosoft.com",
          tenantId,
          "mde:useAzureCli passes it to `az account get-access-token --tenant`; fix mde:tenantId or AZURE_TENANT_ID.",
        );
      }
      credential = tenantId ? { kind: "azureCli", tenantId } : { kind: "azureCli" };
      break;
  }
  return credential as Credential;
}
