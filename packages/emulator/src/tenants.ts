/**
 * Several Entra tenants in one emulator (`tenants` option), as one global Defender endpoint serves
 * every customer: the API decides whose data a call reads from the token's `tid`. Each tenant has
 * its own default app, default user, fleet (the same computer names as tenant 0, on purpose, with
 * device ids of its own) and machine actions; quotas are per app and tenant already.
 *
 * A token of a tenant the emulator was not started with (an app registered with `addApp` in a
 * tenant id of its own) reads tenant 0's data, as every tenant did before there were several.
 */
import type { EmulatorContext, RouteRequest } from "./context";
import { deviceId } from "./deviceId";
import type { UserRegistration } from "./identityTypes";
import { decodeJwt } from "./jwt";
import type { RouteMatch } from "./router";
import type { ActionEntry, ActionStore } from "./store";
import { deterministicGuid } from "./tokenService";
import type { AppRegistration, Device } from "./types";

/** Most tenants one emulator serves (each holds a copy of the fleet). */
export const MAX_TENANTS = 100;

/**
 * The `tenants` option, checked.
 * @throws RangeError when it is not an integer from 1 to `MAX_TENANTS`
 */
export function tenantCount(option: number | undefined): number {
  const count = option ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_TENANTS) {
    throw new RangeError(`tenants must be an integer from 1 to ${MAX_TENANTS}`);
  }
  return count;
}

/** What one tenant owns. */
export interface TenantData {
  /** Position in the `tenants` list; 0 is the default app's tenant. */
  readonly index: number;
  /** Lower-case tenant GUID. */
  readonly tenantId: string;
  readonly defaultApp: AppRegistration;
  readonly defaultUser: UserRegistration;
  /** Every device of the tenant, including those not onboarded yet. */
  readonly fleet: Device[];
  readonly store: ActionStore;
}

/**
 * The id a device of tenant 0 has in tenant `tenantIndex`: the same id in tenant 0, a distinct
 * deterministic 40-hex id elsewhere (so tests can name a device of any tenant before start).
 */
export function tenantDeviceId(tenantIndex: number, tenantZeroId: string): string {
  const id = tenantZeroId.toLowerCase();
  return tenantIndex === 0 ? id : deviceId(`tenant${tenantIndex}:${id}`);
}

/** UPN of the default user of tenant `tenantIndex` ≥ 1 (tenant 0's is `DEFAULT_USER_UPN` or the first of `users`). */
export function tenantUserUpn(tenantIndex: number): string {
  return `responder@tenant${tenantIndex}.example.com`;
}

/**
 * Tenant `tenantIndex`'s copy of tenant 0's fleet: same names, OS, tags and behaviour; its own ids
 * (and Entra device ids). Tenant 0 gets the fleet itself, not a copy.
 */
export function tenantFleet(base: Device[], tenantIndex: number): Device[] {
  if (tenantIndex === 0) return base;
  return base.map((device) => {
    const copy = structuredClone(device);
    copy.id = tenantDeviceId(tenantIndex, device.id);
    if (device.aadDeviceId) copy.aadDeviceId = deterministicGuid(`aad:tenant${tenantIndex}:${device.id}`);
    return copy;
  });
}

/** The tenants of one emulator, tenant 0 first. */
export class TenantSet {
  constructor(readonly list: readonly TenantData[]) {}

  /**
   * Tenant `index`.
   * @throws RangeError for an index the emulator was not started with
   */
  at(index: number): TenantData {
    const tenant = Number.isInteger(index) ? this.list[index] : undefined;
    if (!tenant) throw new RangeError(`no tenant ${index}: the emulator has ${this.list.length}`);
    return tenant;
  }

  /** The tenant with this id, if the emulator was started with it. */
  byTenantId(tenantId: string | undefined): TenantData | undefined {
    const wanted = tenantId?.toLowerCase();
    return this.list.find((t) => t.tenantId === wanted);
  }

  /** The tenant whose data a token of `tenantId` reads: its own, else tenant 0's. */
  dataOf(tenantId: string | undefined): TenantData {
    return this.byTenantId(tenantId) ?? this.at(0);
  }

  /** The action with this id in any tenant, with its tenant. */
  findAction(actionId: string): { tenant: TenantData; entry: ActionEntry } | undefined {
    for (const tenant of this.list) {
      const entry = tenant.store.get(actionId);
      if (entry) return { tenant, entry };
    }
    return undefined;
  }

  /** Forgets every tenant's actions. */
  reset(): void {
    for (const tenant of this.list) tenant.store.reset();
  }
}

/** `ctx` as handlers of `tenant` see it: its fleet and actions. Tenant 0's is `ctx` itself. */
export function scopeToTenant(ctx: EmulatorContext, tenant: TenantData): EmulatorContext {
  return tenant.index === 0 ? ctx : { ...ctx, fleet: tenant.fleet, store: tenant.store };
}

/**
 * The tenant a request is made as, before it is handled (for tenant-scoped faults): the path's on
 * the token endpoints, the bearer token's `tid` (read, not verified) on the API, the action's
 * tenant on a link download; undefined when nothing says.
 */
export function requestTenant(
  ctx: EmulatorContext,
  match: RouteMatch,
  req: RouteRequest,
): string | undefined {
  if (match.route === "token" || match.route === "discovery") return match.params.tenant?.toLowerCase();
  if (match.route === "download" || match.route === "liveResponseDownload") {
    // `/investigation-packages/{id}.zip`, `/live-response-results/{id}/{index}`: action ids are GUIDs.
    const id = /^\/[^/]+\/([0-9a-fA-F-]+)/.exec(req.url.pathname)?.[1];
    return id ? ctx.tenants.findAction(id)?.tenant.tenantId : undefined;
  }
  if (match.route === "admin" || match.route === "unknown") return undefined;
  const header = req.headers.authorization;
  const token = typeof header === "string" ? /^Bearer\s+(\S+)/i.exec(header)?.[1] : undefined;
  if (!token) return undefined;
  try {
    const tid = decodeJwt(token).payload.tid;
    return typeof tid === "string" ? tid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
