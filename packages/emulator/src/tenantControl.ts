/**
 * Creating the tenants of an emulator and the `Emulator.tenant(i)` views over them, built over the
 * shared context so the server only wires them in.
 */
import { randomUUID } from "node:crypto";
import { type AppRegistry, generateClientSecret } from "./appRegistry";
import type { EmulatorContext } from "./context";
import { deviceId } from "./deviceId";
import { findDevice } from "./fleet";
import { onboardDevice, scheduleInitialOnboarding, setMachineTags } from "./fleetControl";
import { userAccessToken } from "./identityControl";
import type { UserRegistration } from "./identityTypes";
import { isolationState } from "./isolationState";
import type { ActionStore } from "./store";
import {
  scopeToTenant,
  type TenantData,
  TenantSet,
  tenantCount,
  tenantDeviceId,
  tenantFleet,
  tenantUserUpn,
} from "./tenants";
import type { EmulatorTenant } from "./tenantTypes";
import type { AppRegistration, Device } from "./types";
import type { UserRegistry } from "./userRegistry";

/** What tenant 0 already has, and where the other tenants register. */
export interface TenantSeed {
  /** Tenants wanted, 1 to `MAX_TENANTS`. */
  count: number;
  defaultApp: AppRegistration;
  defaultUser: UserRegistration;
  fleet: Device[];
  store: ActionStore;
  registry: AppRegistry;
  users: UserRegistry;
  /** A fresh, empty action store with the emulator's lifecycle. */
  newStore: () => ActionStore;
}

/**
 * Tenant 0 (the seed's own app, user, fleet and store) and `count - 1` more, each with a generated
 * tenant id, a default app with every role and a generated secret, a default user and a copy of
 * the fleet.
 * @throws RangeError when `count` is not an integer from 1 to `MAX_TENANTS`
 */
export function createTenants(seed: TenantSeed): TenantSet {
  const count = tenantCount(seed.count);
  const list: TenantData[] = [
    {
      index: 0,
      tenantId: seed.defaultApp.tenantId,
      defaultApp: seed.defaultApp,
      defaultUser: seed.defaultUser,
      fleet: seed.fleet,
      store: seed.store,
    },
  ];
  for (let index = 1; index < count; index++) {
    const defaultApp = seed.registry.add({
      tenantId: randomUUID(),
      displayName: `pulumi-mde (tenant ${index})`,
      clientSecret: generateClientSecret(),
    });
    const defaultUser = seed.users.add({ upn: tenantUserUpn(index), tenantId: defaultApp.tenantId });
    list.push({
      index,
      tenantId: defaultApp.tenantId,
      defaultApp,
      defaultUser,
      fleet: tenantFleet(seed.fleet, index),
      store: seed.newStore(),
    });
  }
  return new TenantSet(list);
}

/** Schedules the late devices (`behavior.onboardAfterSeconds`) of every tenant's starting fleet. */
export function scheduleTenantsOnboarding(ctx: EmulatorContext): void {
  for (const tenant of ctx.tenants.list) scheduleInitialOnboarding(scopeToTenant(ctx, tenant));
}

/** The `mde:*` stack config naming `app` at this emulator. */
export function providerConfigFor(
  ctx: EmulatorContext,
  app: AppRegistration,
  timeScale: number,
): Record<string, { value: string; secret: boolean }> {
  const plain = (value: string) => ({ value, secret: false });
  return {
    "mde:tenantId": plain(app.tenantId),
    "mde:clientId": plain(app.clientId),
    "mde:clientSecret": { value: app.clientSecret ?? "", secret: true },
    "mde:apiEndpoint": plain(ctx.origin),
    "mde:authorityHost": plain(ctx.origin),
    "mde:caCertPath": plain(ctx.caFile),
    // The provider's rate windows and poll delays must shrink with the emulator's clock.
    ...(timeScale !== 1 ? { "mde:timeScale": plain(String(timeScale)) } : {}),
  };
}

/** Mints an access token for a registered app, as `Emulator.issueToken` does. */
export type TokenMinter = (
  options: { tenantId: string; clientId: string } & Record<string, unknown>,
) => string;

/** The view `Emulator.tenant(index)` gives of one tenant. */
export function tenantView(
  ctx: EmulatorContext,
  tenant: TenantData,
  deps: { timeScale: number; issueToken: TokenMinter },
): EmulatorTenant {
  const scoped = () => scopeToTenant(ctx, tenant);
  const deviceOf = (idOrName: string): Device => {
    const device = findDevice(tenant.fleet, idOrName);
    if (!device) throw new Error(`no device ${idOrName} in tenant ${tenant.index}'s fleet`);
    return device;
  };
  const app = tenant.defaultApp;
  return {
    index: tenant.index,
    tenantId: tenant.tenantId,
    defaultApp: {
      tenantId: app.tenantId,
      clientId: app.clientId,
      clientSecret: app.clientSecret ?? "",
      roles: [...app.roles],
    },
    defaultUser: tenant.defaultUser,
    fleet: tenant.fleet,
    providerConfig: () => providerConfigFor(ctx, app, deps.timeScale),
    addApp: (input = {}) => ctx.registry.add({ ...input, tenantId: tenant.tenantId }),
    addUser: (input) => ctx.users.add({ ...input, tenantId: tenant.tenantId }),
    issueToken: (options = {}) =>
      deps.issueToken({ ...options, clientId: options.clientId ?? app.clientId, tenantId: tenant.tenantId }),
    issueUserToken: (options = {}) => userAccessToken(ctx, options, tenant.defaultUser.upn).accessToken,
    calls: (filter = {}) => ctx.recorder.list({ ...filter, tenantId: tenant.tenantId }),
    injectFault: (rule) => ctx.faults.add({ ...rule, tenantId: tenant.tenantId }),
    consumeQuota: ({ clientId, route, count }) =>
      ctx.limiter.consume({ clientId: clientId ?? app.clientId, tenantId: tenant.tenantId, route }, count),
    setMachineTags: (idOrName, tags) => setMachineTags(scoped(), idOrName, tags),
    onboardDevice: (device, options = {}) => {
      // Without an id, a device gets this tenant's id for its name, as the tenant's fleet copy does.
      const named = typeof device.computerDnsName === "string" ? deviceId(device.computerDnsName) : undefined;
      const id = device.id ?? (named === undefined ? undefined : tenantDeviceId(tenant.index, named));
      // Onboarding and device files are keyed by device id across tenants: ids stay unique.
      const wanted = id?.toLowerCase();
      if (wanted && ctx.tenants.list.some((t) => t.fleet.some((d) => d.id === wanted)))
        throw new Error(`a device with id ${wanted} already exists`);
      return onboardDevice(scoped(), id === undefined ? device : { ...device, id }, options.afterSeconds);
    },
    isolationOf: (idOrName) => isolationState(tenant.store, deviceOf(idOrName).id),
  };
}
