/**
 * Keys identifying what shares a quota (application, tenant, API host) and what shares a token cache
 * (that plus the credential). Never contain a secret.
 */
import { createHash } from "node:crypto";
import { AZURE_CLI_CLIENT_ID } from "./credentials";
import type { Settings } from "./resolveSettings";

/**
 * The key identifying (application, tenant, API host): what shares the real API quota, and so the rate
 * limiter and HTTP agents. Token providers add the credential on top (see `credentialFingerprint`).
 * A static token whose claims cannot be read is identified by a digest of the token.
 */
export function settingsFingerprint(settings: Settings): string {
  const host = new URL(settings.apiEndpoint).host.toLowerCase();
  // The Azure CLI's tokens are the CLI application's, whatever mde:clientId says.
  let app = settings.credential.kind === "azureCli" ? AZURE_CLI_CLIENT_ID : (settings.clientId ?? "");
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
            : c.kind === "azureCli"
              ? (c.tenantId ?? "")
              : (c.clientId ?? "");
  const digest = createHash("sha256").update(material).digest("hex").slice(0, 16);
  return `${settingsFingerprint(settings)}|${c.kind}|${settings.authorityHost}|${settings.scope}|${digest}`;
}
