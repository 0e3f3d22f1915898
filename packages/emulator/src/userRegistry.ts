/**
 * Users of the emulated Entra ID tenant who sign in interactively (a responder with the Azure
 * CLI) and what Defender lets them do: role permissions and device groups.
 */
import { randomBytes } from "node:crypto";
import type { UserRegistration, UserRegistrationInput } from "./identityTypes";
import { deterministicGuid } from "./tokenService";

/** Client id of the Azure CLI, the public client `az login` signs users in with. */
export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/** UPN of the default user. */
export const DEFAULT_USER_UPN = "responder@contoso.com";

/**
 * Delegated permissions a user's token carries by default (`scp`): those the Defender API asks
 * of a delegated caller for reading devices and actions and for collecting.
 */
export const DEFAULT_USER_SCOPES: readonly string[] = [
  "Machine.CollectForensics",
  "Machine.Read",
  "Machine.ReadWrite",
];

/** Defender role permissions of a user with full access (as Security Administrator gets). */
export const FULL_ACCESS_PERMISSIONS: readonly string[] = [
  "View data",
  "Alerts investigation",
  "Active remediation actions",
  "Live response capabilities - Advanced",
  "Manage security settings",
  "Manage portal system settings",
];

/** Registered users, by UPN. */
export class UserRegistry {
  private readonly users = new Map<string, UserRegistration>();

  /** @param defaultTenantId - tenant of users registered without one */
  constructor(private readonly defaultTenantId: string) {}

  /** Registers a user, filling in defaults; replaces a user with the same UPN. */
  add(input: UserRegistrationInput): UserRegistration {
    if (typeof input.upn !== "string" || !/^[^@\s]+@[^@\s]+$/.test(input.upn)) {
      throw new Error(`a user needs a UPN like name@domain, got '${String(input.upn)}'`);
    }
    const groups = input.rbacGroupIds ?? "all";
    if (groups !== "all" && !(Array.isArray(groups) && groups.every((g) => Number.isInteger(g)))) {
      throw new Error(`rbacGroupIds of ${input.upn} must be "all" or an array of integers`);
    }
    const upn = input.upn.toLowerCase();
    const user: UserRegistration = {
      upn,
      objectId: (input.objectId ?? deterministicGuid(`user:${upn}`)).toLowerCase(),
      tenantId: (input.tenantId ?? this.defaultTenantId).toLowerCase(),
      displayName: input.displayName ?? upn.split("@")[0] ?? upn,
      password: input.password ?? generatePassword(),
      rolePermissions: [...(input.rolePermissions ?? FULL_ACCESS_PERMISSIONS)],
      rbacGroupIds: groups === "all" ? "all" : [...groups],
      scopes: [...(input.scopes ?? DEFAULT_USER_SCOPES)],
    };
    this.users.set(upn, user);
    return user;
  }

  /** The user with this UPN (case-insensitive). */
  find(upn: string): UserRegistration | undefined {
    return this.users.get(upn.toLowerCase());
  }

  /** The user with this object id in this tenant. */
  findByObjectId(tenantId: string, objectId: string): UserRegistration | undefined {
    const tid = tenantId.toLowerCase();
    const oid = objectId.toLowerCase();
    return [...this.users.values()].find((u) => u.tenantId === tid && u.objectId === oid);
  }

  /** Whether any user lives in this tenant. */
  hasTenant(tenantId: string): boolean {
    const wanted = tenantId.toLowerCase();
    return [...this.users.values()].some((u) => u.tenantId === wanted);
  }

  /** Every registered user. */
  list(): UserRegistration[] {
    return [...this.users.values()];
  }
}

/** Whether `user` may see devices of device group `rbacGroupId`. */
export function canAccessGroup(user: UserRegistration, rbacGroupId: number): boolean {
  return user.rbacGroupIds === "all" || user.rbacGroupIds.includes(rbacGroupId);
}

/**
 * Whether a granted Defender role permission satisfies a required one: names compare without
 * case, and a sub-permission (`"View data - Security operations"`) counts as its group (`"View data"`).
 */
export function grantsPermission(granted: string, required: string): boolean {
  const g = granted.trim().toLowerCase();
  const r = required.toLowerCase();
  return g === r || g.startsWith(`${r} - `);
}

function generatePassword(): string {
  return `Pw-${randomBytes(12).toString("base64url")}1!`;
}
