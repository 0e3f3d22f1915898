/**
 * The resources the emulated Entra ID issues tokens for, and the audience each token gets:
 * Defender for Endpoint (the API this emulator serves) and Azure Storage (served by Azurite, which
 * accepts the emulator's storage tokens with `--oauth basic`). Imports nothing, so the token
 * service, the user tokens and the managed identity route share one answer.
 */

/** Audience of every Defender token, as the real service issues it for both API hosts. */
export const TOKEN_AUDIENCE = "https://api.securitycenter.microsoft.com";

/** Resources whose `/.default` scope yields a Defender for Endpoint token. */
export const ACCEPTED_RESOURCES: readonly string[] = [
  "https://api.securitycenter.microsoft.com",
  "https://api.security.microsoft.com",
  // Application id of WindowsDefenderATP, which Entra also accepts as a resource identifier.
  "fc780465-2017-40d4-a0c5-307022471b92",
];

/**
 * Audience of a storage token, as Entra issues it for `https://storage.azure.com/.default` and
 * Azurite (`--oauth basic`) requires. The Defender API refuses it.
 */
export const STORAGE_AUDIENCE = "https://storage.azure.com";

/** Resources whose `/.default` scope yields an Azure Storage token. */
export const STORAGE_RESOURCES: readonly string[] = [
  "https://storage.azure.com",
  // Application id of Azure Storage, which Entra also accepts as a resource identifier.
  "e406a681-f3d4-42a8-90b6-c2b029497af1",
];

/**
 * Delegated permissions of a user's storage token (`scp`): the Azure CLI is pre-authorized for
 * Azure Storage's only delegated permission, so no consent is registered per user.
 */
export const STORAGE_USER_SCOPES: readonly string[] = ["user_impersonation"];

/** A resource or scope as compared: lower case, without `/.default` and trailing slashes. */
export function normalizeResource(resource: string): string {
  return resource
    .replace(/\/\.default$/i, "")
    .replace(/\/+$/, "")
    .toLowerCase();
}

/**
 * Audience of a token for `resource` (a scope's resource part or a managed identity's
 * `resource` query), or `undefined` for a resource the emulator does not issue tokens for.
 */
export function audienceOf(resource: string): string | undefined {
  const normalized = normalizeResource(resource);
  if (ACCEPTED_RESOURCES.includes(normalized)) return TOKEN_AUDIENCE;
  if (STORAGE_RESOURCES.includes(normalized)) return STORAGE_AUDIENCE;
  return undefined;
}
