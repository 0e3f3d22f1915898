/**
 * What a delegated (user) token may do. Three checks, each its own 403: the token's `scp` for the
 * operation, then the user's Defender role permission, then (in the handlers, once the device is
 * known) the device's group against the user's device groups. Application tokens never come here.
 *
 * Mirror: the library's operation table (src/client/operations.ts, `delegatedPermissions`) names
 * the same delegated permissions; keep both sides in step. One difference is deliberate for now:
 * GetPackageUri's page lists Machine.CollectForensics as its delegated permission, the library
 * Machine.ReadWrite.
 */
import type { EmulatorContext } from "./context";
import { MdeErrorFactory } from "./errors";
import type { UserRegistration } from "./identityTypes";
import type { AccessTokenClaims } from "./tokenService";
import type { Device, RouteName } from "./types";
import { canAccessGroup, grantsPermission } from "./userRegistry";

const READ_SCOPES = ["Machine.Read", "Machine.ReadWrite"];

/** Delegated permissions (`scp`) that allow each API route, per Microsoft's pages (any one suffices). */
export const DELEGATED_ROUTE_SCOPES: Partial<Record<RouteName, readonly string[]>> = {
  getMachine: READ_SCOPES,
  listMachines: READ_SCOPES,
  findMachinesByTag: READ_SCOPES,
  getAction: READ_SCOPES,
  listActions: READ_SCOPES,
  collect: ["Machine.CollectForensics"],
  // GetPackageUri documents Machine.CollectForensics as its only delegated permission.
  getPackageUri: ["Machine.CollectForensics"],
  isolate: ["Machine.Isolate"],
  unisolate: ["Machine.Isolate"],
  liveResponse: ["Machine.LiveResponse"],
  liveResponseLink: ["Machine.LiveResponse"],
  cancel: [
    "Machine.CollectForensics",
    "Machine.Isolate",
    "Machine.RestrictExecution",
    "Machine.Scan",
    "Machine.Offboard",
    "Machine.StopAndQuarantine",
    "Machine.LiveResponse",
  ],
};

// Microsoft documents "View data" for reads. A role holding an investigation or remediation
// permission may read too: a role that can collect from a device must be able to see it.
const READ_PERMISSIONS = [
  "View data",
  "Alerts investigation",
  "Collect investigation package",
  "Active remediation actions",
  "Live response capabilities",
  "Basic live response",
  "Advanced live response",
];
const INVESTIGATE_PERMISSIONS = ["Alerts investigation", "Collect investigation package"];
const REMEDIATE_PERMISSIONS = ["Active remediation actions"];
// Downloading a file from a device needs the advanced level: "Advanced live response" in unified
// RBAC, "Live response capabilities - Advanced" in Defender's own roles. Basic is read-only commands.
const ADVANCED_LIVE_RESPONSE = ["Advanced live response", "Live response capabilities - Advanced"];

/** Defender role permissions a user needs for each API route (any one suffices). */
export const USER_ROUTE_PERMISSIONS: Partial<Record<RouteName, readonly string[]>> = {
  getMachine: READ_PERMISSIONS,
  listMachines: READ_PERMISSIONS,
  findMachinesByTag: READ_PERMISSIONS,
  getAction: READ_PERMISSIONS,
  listActions: READ_PERMISSIONS,
  collect: INVESTIGATE_PERMISSIONS,
  getPackageUri: INVESTIGATE_PERMISSIONS,
  isolate: REMEDIATE_PERMISSIONS,
  unisolate: REMEDIATE_PERMISSIONS,
  liveResponse: ADVANCED_LIVE_RESPONSE,
  liveResponseLink: ADVANCED_LIVE_RESPONSE,
  // Undocumented for users; cancelling is a response action, like collecting or remediating.
  cancel: [...INVESTIGATE_PERMISSIONS, ...REMEDIATE_PERMISSIONS, ...ADVANCED_LIVE_RESPONSE],
};

/** The user a delegated token names, or undefined for an application token. */
export function tokenUser(
  ctx: EmulatorContext,
  claims: AccessTokenClaims | undefined,
): UserRegistration | undefined {
  if (!claims?.scp || !claims.oid) return undefined;
  return ctx.users.findByObjectId(claims.tid, claims.oid);
}

/**
 * Checks a delegated token's `scp`, then its user's role permission, for `route`.
 * @throws MdeError 403, with a message naming which check failed
 */
export function authorizeDelegated(ctx: EmulatorContext, route: RouteName, claims: AccessTokenClaims): void {
  const scopes = DELEGATED_ROUTE_SCOPES[route];
  if (scopes && !scopes.some((scope) => claims.scp?.includes(scope))) {
    throw MdeErrorFactory.missingScope(scopes);
  }
  const user = tokenUser(ctx, claims);
  if (!user) throw MdeErrorFactory.unknownUser(claims.upn ?? claims.oid ?? "unknown");
  const needed = USER_ROUTE_PERMISSIONS[route];
  if (needed && !needed.some((required) => user.rolePermissions.some((p) => grantsPermission(p, required)))) {
    throw MdeErrorFactory.missingRolePermission(user.upn, needed);
  }
}

/** Whether the caller may see `device`: always for apps, by device group for users. */
export function canSeeDevice(
  ctx: EmulatorContext,
  claims: AccessTokenClaims | undefined,
  device: Device,
): boolean {
  const user = tokenUser(ctx, claims);
  return !user || canAccessGroup(user, device.rbacGroupId);
}

/**
 * Refuses a user whose device groups do not include `device`'s.
 * @throws MdeError 403
 */
export function assertDeviceAccess(
  ctx: EmulatorContext,
  claims: AccessTokenClaims | undefined,
  device: Device | undefined,
): void {
  const user = tokenUser(ctx, claims);
  if (user && device && !canAccessGroup(user, device.rbacGroupId)) {
    throw MdeErrorFactory.noDeviceGroupAccess(user.upn, device.id, device.rbacGroupId);
  }
}

/** Who an action records as requestor: the UPN for a user, as the real API does, else the app id. */
export function requestorOf(claims: AccessTokenClaims | undefined): string {
  return claims?.upn ?? claims?.appid ?? "unknown";
}
