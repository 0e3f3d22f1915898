/**
 * Everything a route handler may use, wired once by the server.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { AppRegistry } from "./appRegistry";
import type { Clock } from "./clock";
import type { DeviceFileSystem } from "./deviceFiles";
import type { FaultInjector } from "./faults";
import type { GithubOidcService } from "./githubOidc";
import type { OnboardingSchedule } from "./onboarding";
import type { PackageCatalog } from "./packageCatalog";
import type { PackageLinkSigner } from "./packageLink";
import type { RateLimiter } from "./rateLimiter";
import type { CallInProgress, CallRecorder } from "./record";
import type { ActionStore } from "./store";
import type { TenantSet } from "./tenants";
import type { AccessTokenClaims, TokenService } from "./tokenService";
import type { AppRegistration, Device } from "./types";
import type { UserRegistry } from "./userRegistry";

/** Options after defaults, as handlers need them. */
export interface ResolvedSettings {
  duplicateCollection: "conflict" | "returnExisting";
  packageLinkLifetimeSeconds: number;
  quotePackageUri: boolean;
  packagePaddingBytes: number;
  /** Honour `Range` on downloads (206); when false, every download is a 200 with the whole body. */
  downloadRanges: boolean;
  /** Answer to a duplicate isolate or unisolate. */
  duplicateIsolation: "conflict" | "returnExisting";
  /** Live response sessions one tenant may have at once. */
  liveResponseSessionsPerTenant: number;
  /** Beyond that: 429, or queue (Pending until a session ends). */
  liveResponseOverflow: "reject" | "queue";
  /** Lifetime of a live response result link, in emulated seconds. */
  liveResponseLinkLifetimeSeconds: number;
  /** Admin API token (`Authorization: Bearer` or `x-emulator-admin-token`). */
  adminToken: string;
  /** Whether `/_emulator/*` requires {@link ResolvedSettings.adminToken}. */
  requireAdminToken: boolean;
}

/** Shared state of one emulator. */
export interface EmulatorContext {
  /** Origin clients reach the server at. */
  origin: string;
  /** File holding the CA PEM clients must trust. */
  caFile: string;
  clock: Clock;
  registry: AppRegistry;
  tokens: TokenService;
  /** The actions of the tenant a handler serves (tenant 0's outside a request; see `tenants`). */
  store: ActionStore;
  /** Every device of the tenant a handler serves, including those not onboarded yet (see `onboarding`). */
  fleet: Device[];
  /** Every tenant with its fleet and actions; API handlers get a context scoped to the caller's. */
  tenants: TenantSet;
  /** When late devices onboard. */
  onboarding: OnboardingSchedule;
  /** Users who get delegated tokens. */
  users: UserRegistry;
  /** The emulated GitHub Actions OIDC token service. */
  github: GithubOidcService;
  links: PackageLinkSigner;
  /** Investigation packages behind the links, opened once per action. */
  packages: PackageCatalog;
  /** The emulated file systems live response reads. */
  files: DeviceFileSystem;
  limiter: RateLimiter;
  faults: FaultInjector;
  recorder: CallRecorder;
  settings: ResolvedSettings;
  /** System-assigned managed identity and the secret header App Service requires. */
  managedIdentity: { app: AppRegistration; identityHeader: string };
  /** Clears everything mutable (record, faults, quotas, actions). */
  resetAll(): void;
}

/** One request as handlers see it. */
export interface RouteRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  params: Record<string, string>;
  call: CallInProgress;
  /** Set when a `completeAfterRelease` fault applies to this isolate request. */
  completeAfterRelease?: boolean;
  /** Set for API routes once the bearer token is verified. */
  claims?: AccessTokenClaims;
}
