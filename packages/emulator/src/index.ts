/**
 * pulumi-mde emulator: a local Microsoft Defender for Endpoint API and Entra ID token endpoint
 * over HTTPS, for tests, demos and exercise environments.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ timeScale: 100 });
 * // point a client at emulator.url / emulator.authorityHost, trusting emulator.caFile
 * await emulator.close();
 * ```
 */
export { ADMIN_TOKEN_HEADER } from "./adminAuth";
export {
  type CertificateWithKey,
  type GeneratedCertificate,
  generateCertificate,
  generateTlsMaterial,
  issueServerCertificate,
  type ServerCertificateOptions,
  type TlsMaterial,
} from "./certificates";
export { DELEGATED_ROUTE_SCOPES, USER_ROUTE_PERMISSIONS } from "./delegatedAccess";
export { KNOWN_DEVICE_FILES } from "./deviceFiles";
export { defaultFleet, deviceId } from "./fleet";
export { FLEET_DOMAIN, FLEET_ROLES, type FleetDeviceRef, INCIDENT_TAG } from "./fleetRoles";
export {
  DEFAULT_GITHUB_SUBJECT,
  GITHUB_ACTIONS_ISSUER,
  GITHUB_ID_TOKEN_LIFETIME_SECONDS,
  githubSubject,
} from "./githubOidc";
export type { AzAccessToken } from "./identityControl";
export * from "./identityTypes";
export { FILE_NOT_FOUND_MESSAGE } from "./liveResponseCommands";
export { CONTENT_MD5_MAX_BYTES } from "./packageBlob";
export { type RateLimit, ROUTE_LIMITS } from "./rateLimiter";
export { ALL_ROLES, ROUTE_ROLES } from "./roles";
export { ISOLATION_TYPES } from "./routes/isolation";
export { EMULATOR_DEFAULTS, MAX_PACKAGE_PADDING_BYTES, startEmulator } from "./server";
export { type ActionType, DEFAULT_LIFECYCLE } from "./store";
export { MAX_TENANTS, tenantDeviceId, tenantUserUpn } from "./tenants";
export type { CallFilter, EmulatorTenant, ProviderConfigOptions } from "./tenantTypes";
export {
  ACCEPTED_RESOURCES,
  STORAGE_AUDIENCE,
  STORAGE_RESOURCES,
  STORAGE_USER_SCOPES,
  TOKEN_AUDIENCE,
} from "./tokenAudience";
export { FEDERATED_AUDIENCE } from "./tokenService";
export * from "./types";
export { DEFAULT_MAX_URL_BYTES } from "./urlLimit";
export {
  AZURE_CLI_CLIENT_ID,
  DEFAULT_USER_SCOPES,
  DEFAULT_USER_UPN,
  FULL_ACCESS_PERMISSIONS,
} from "./userRegistry";
