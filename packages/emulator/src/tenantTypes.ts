/**
 * Public types of the emulator's tenants (`tenants` option): what `em.tenant(i)` gives.
 */
import type { IssueUserTokenOptions, UserRegistration, UserRegistrationInput } from "./identityTypes";
import type {
  AppRegistration,
  AppRegistrationInput,
  CallRecord,
  Device,
  FaultRule,
  IsolationState,
  IssueTokenOptions,
  OnboardDeviceOptions,
  RouteName,
} from "./types";

/** Options of `Emulator.providerConfig`. */
export interface ProviderConfigOptions {
  /** Whose default app the config names (index in `em.tenants`). @default 0 */
  tenant?: number;
}

/** Filter of `Emulator.calls`. */
export interface CallFilter {
  route?: RouteName | "admin" | "unknown";
  clientId?: string;
  /** Calls made as this tenant (the token's `tid`, the token endpoint's path, a link's action). */
  tenantId?: string;
}

/**
 * One tenant of the emulator: its default app, default user, fleet and actions. A token of this
 * tenant reads only this tenant's devices and actions; another tenant's device or action ids are
 * 404 `ResourceNotFound` to it, as they are in the real service.
 */
export interface EmulatorTenant {
  /** Position in `em.tenants`; 0 is the default app's tenant. */
  readonly index: number;
  /** Lower-case tenant GUID: the `tid` of its tokens and the `{tenant}` of its token endpoint. */
  readonly tenantId: string;
  /** The tenant's default app (every role, a client secret). Tenant 0's is `em.defaultApp`. */
  readonly defaultApp: { tenantId: string; clientId: string; clientSecret: string; roles: string[] };
  /** The tenant's first user (tenant 0: `em.defaultUser`; others `responder@tenant<i>.example.com`). */
  readonly defaultUser: UserRegistration;
  /** The tenant's devices: tenant 0's computer names, ids of its own. Tenant 0's is `em.fleet`. */
  readonly fleet: Device[];
  /** The `mde:*` stack config for this tenant's default app (`em.providerConfig({ tenant: index })`). */
  providerConfig(): Record<string, { value: string; secret: boolean }>;
  /** Registers an app in this tenant. */
  addApp(app?: Omit<AppRegistrationInput, "tenantId">): AppRegistration;
  /** Registers a user of this tenant. */
  addUser(user: Omit<UserRegistrationInput, "tenantId">): UserRegistration;
  /** Mints an access token of this tenant. @default this tenant's default app */
  issueToken(options?: Omit<IssueTokenOptions, "tenantId">): string;
  /** Mints a delegated token for a user. @default this tenant's default user */
  issueUserToken(options?: IssueUserTokenOptions): string;
  /** The calls made as this tenant. */
  calls(filter?: Omit<CallFilter, "tenantId">): CallRecord[];
  /** Adds a fault that applies only to calls made as this tenant. */
  injectFault(rule: FaultRule): void;
  /** Spends this tenant's quota of an app as another caller would. @default this tenant's default app */
  consumeQuota(args: { clientId?: string; route: RouteName; count: number }): void;
  /** Replaces the tags of one of this tenant's devices (by id or computerDnsName). */
  setMachineTags(idOrComputerDnsName: string, tags: string[]): Device;
  /** Adds a device to this tenant that onboards later. */
  onboardDevice(device: Partial<Device>, options?: OnboardDeviceOptions): Device;
  /** Isolation state of one of this tenant's devices. */
  isolationOf(idOrComputerDnsName: string): IsolationState;
}
