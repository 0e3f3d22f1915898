/**
 * MSAL applications for the credential kinds MSAL serves: a confidential client (secret, certificate,
 * federated token file) and a managed identity client, each on our own network client (our CA, timeouts
 * and proxy) and with PII logging off.
 */
import { readFile } from "node:fs/promises";
import type {
  ConfidentialClientApplication,
  Configuration,
  ManagedIdentityApplication,
} from "@azure/msal-node";
import type { Dispatcher } from "undici";
import { configError, type DefenderError } from "../core/errors";
import { redact, registerSecret } from "../core/redact";
import { readClientCertificate } from "../settings/certificateFile";
import type { Credential } from "../settings/credentials";
import { githubOidcAssertion } from "./githubOidcAssertion";
import { createMsalNetworkClient } from "./msalNetworkClient";

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

/** What an MSAL application is built with. */
export interface MsalAppOptions {
  /** Entra ID authority host origin. */
  authorityHost: string;
  /** The dispatcher token requests go through (our CA, timeouts, proxy). */
  dispatcher: Dispatcher;
  /** Receives redacted MSAL warnings and one line per token HTTP request. */
  log?: (line: string) => void;
  /** Told of the network failure behind an MSAL error, so it can be reported precisely. */
  onNetworkError: (error: DefenderError) => void;
}

/** Credential kinds served by a confidential client. */
export type ConfidentialCredential = Extract<
  Credential,
  { kind: "clientSecret" | "clientCertificate" | "federatedToken" | "githubOidc" }
>;

/** The confidential client of a secret, certificate, federated token file or GitHub OIDC credential. */
export async function createConfidentialClient(
  credential: ConfidentialCredential,
  options: MsalAppOptions,
): Promise<ConfidentialClientApplication> {
  const msal = await import("@azure/msal-node");
  const auth: Configuration["auth"] = {
    clientId: credential.clientId,
    authority: `${options.authorityHost}/${credential.tenantId}`,
  };
  if (!isMicrosoftAuthority(options.authorityHost)) {
    auth.knownAuthorities = [new URL(options.authorityHost).host];
    auth.authorityMetadata = authorityMetadataFor(options.authorityHost, credential.tenantId);
  }
  if (credential.kind === "clientSecret") {
    auth.clientSecret = credential.clientSecret;
  } else if (credential.kind === "clientCertificate") {
    auth.clientCertificate = readClientCertificate("mde:clientCertificatePath", credential.certificatePath);
  } else if (credential.kind === "githubOidc") {
    auth.clientAssertion = githubOidcAssertion(credential, options.dispatcher);
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
      networkClient: createMsalNetworkClient(options.dispatcher, {
        onNetworkError: options.onNetworkError,
        ...(options.log ? { log: options.log } : {}),
      }),
      loggerOptions: loggerOptions(options.log),
    },
  });
}

/** The managed identity client; `clientId` selects a user-assigned identity. */
export async function createManagedIdentityClient(
  clientId: string | undefined,
  options: Omit<MsalAppOptions, "authorityHost">,
): Promise<ManagedIdentityApplication> {
  const msal = await import("@azure/msal-node");
  return new msal.ManagedIdentityApplication({
    ...(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {}),
    system: {
      networkClient: createMsalNetworkClient(options.dispatcher, {
        onNetworkError: options.onNetworkError,
        ...(options.log ? { log: options.log } : {}),
      }),
      loggerOptions: loggerOptions(options.log),
    },
  });
}
