/**
 * Public types of the emulator: what callers pass in and what they get back.
 * Kept in one module so every other module can depend on it without cycles.
 */
import type { CertificateWithKey, ServerCertificateOptions } from "./certificates";
import type {
  GithubActionsEnv,
  GithubActionsEnvOptions,
  IssueUserTokenOptions,
  UserRegistration,
  UserRegistrationInput,
} from "./identityTypes";
import type { CallFilter, EmulatorTenant, ProviderConfigOptions } from "./tenantTypes";

/** Every route the emulator distinguishes, used by fault rules, rate limits and the call record. */
export type RouteName =
  | "token"
  | "managedIdentity"
  | "getMachine"
  | "listMachines"
  | "findMachinesByTag"
  | "collect"
  | "getAction"
  | "listActions"
  | "getPackageUri"
  | "cancel"
  | "download"
  | "discovery"
  | "githubOidc"
  | "isolate"
  | "unisolate"
  | "liveResponse"
  | "liveResponseLink"
  | "liveResponseDownload";

/** All route names, for validation of admin input. */
export const ROUTE_NAMES: readonly RouteName[] = [
  "token",
  "managedIdentity",
  "getMachine",
  "listMachines",
  "findMachinesByTag",
  "collect",
  "getAction",
  "listActions",
  "getPackageUri",
  "cancel",
  "download",
  "discovery",
  "githubOidc",
  "isolate",
  "unisolate",
  "liveResponse",
  "liveResponseLink",
  "liveResponseDownload",
];

/** One handled (or dropped) HTTP call. */
export interface CallRecord {
  /** Which route matched; `admin` for `/_emulator/*`, `unknown` when nothing matched. */
  route: RouteName | "admin" | "unknown";
  method: string;
  /** Path with every query parameter outside an allow-list replaced by `REDACTED` (links carry secrets). */
  path: string;
  /** Application (appid claim, or `client_id` on the token route). */
  clientId?: string;
  /** Tenant the call was made as: the token's `tid`, the token endpoint's tenant, a link's action's tenant. */
  tenantId?: string;
  /** HTTP status sent; 0 when the connection was dropped without an answer. */
  status: number;
  /** `error.code` of an API error, or `error` of an Entra error. */
  errorCode?: string;
  /** Real epoch milliseconds. */
  startMs: number;
  /** Real epoch milliseconds. */
  endMs: number;
  /** Requests of this route in flight when this one started, itself included. */
  concurrent: number;
  /** Whether the request carried an `Authorization` header (any scheme; the value is never kept). */
  authorizationHeader: boolean;
  /** The `Range` header, when one was sent. */
  range?: string;
  /** Body bytes sent; fewer than `Content-Length` when the transfer was cut or the client left. */
  bodyBytes?: number;
}

/** A scripted failure. Rules are consumed in the order they were added, first match wins. */
export type FaultRule = {
  route: RouteName;
  /** Let this many matching calls through first. @default 0 */
  skip?: number;
  /** Apply to this many calls. @default 1 */
  times?: number;
  /**
   * Only calls made as this tenant match (the token's `tid` on the API, the path's tenant on the
   * token endpoint, the action's tenant on a link download). @default every tenant
   */
  tenantId?: string;
} & (
  | {
      kind: "status";
      status: number;
      /** Error code in the body; defaults to the documented code for the status. */
      code?: string;
      /** Sets `Retry-After` (real seconds) and `retry-after-ms`. */
      retryAfterSeconds?: number;
    }
  | { kind: "latency"; ms: number }
  /** Destroy the socket before handling: nothing is created. */
  | { kind: "reset" }
  /** Handle fully (an action is created), then destroy the socket instead of answering. */
  | { kind: "commitThenDrop" }
  /** Answer normally but close the connection after `bytes` body bytes (short of Content-Length). */
  | { kind: "cutAfterBytes"; bytes: number }
  /** Answer normally with the body byte at `offset` flipped (XOR 0xFF): same length, wrong hash. */
  | { kind: "corruptAt"; offset: number }
  /** Send the body `bytes` at a time (default 1), waiting `intervalMs` real milliseconds before each piece. */
  | { kind: "trickle"; intervalMs: number; bytes?: number }
  /**
   * Send no `Content-Length` (nor `Content-MD5`), the body chunked, and after it filler bytes without end,
   * until the client leaves: a host that never stops sending.
   */
  | { kind: "endlessBody" }
  /**
   * Route `isolate` only: answer normally, but this isolation completes only after the release
   * (unisolate) posted next on the device while it is not final: the out-of-order completion of
   * MicrosoftDocs/microsoft-365-docs#5903 that leaves a device isolated. Without such a release it
   * completes on its own schedule.
   */
  | { kind: "completeAfterRelease" }
);

/** Registration of an application in the emulated Entra ID tenant. */
export interface AppRegistrationInput {
  /** @default a generated GUID */
  tenantId?: string;
  /** @default a generated GUID */
  clientId?: string;
  /** Enables client secret authentication. */
  clientSecret?: string;
  /** Enables certificate assertion authentication (public certificate PEM). */
  certificatePem?: string;
  /**
   * Enables federated client assertions: a JWT from `issuer` with `sub` = `subject`, verified with
   * the public key PEM `jwksPem`. Without `jwksPem` the issuer must be one the emulator plays
   * (`GITHUB_ACTIONS_ISSUER`), whose own key is used.
   */
  federated?: { issuer: string; subject: string; jwksPem?: string };
  /** Application permissions put in the token `roles` claim. @default every Machine.* role the API uses */
  roles?: string[];
  /** Marks the app as a user-assigned managed identity (selectable by `client_id` on the managed identity endpoint). */
  managedIdentity?: boolean;
  /** Display name, for logs. */
  displayName?: string;
}

/** A registered application, with defaults resolved. */
export interface AppRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly certificatePem?: string;
  readonly federated?: { issuer: string; subject: string; jwksPem?: string };
  readonly roles: string[];
  readonly managedIdentity: boolean;
  readonly displayName: string;
}

/** Emulator-only behaviour of a device; never part of API responses. */
export interface DeviceBehavior {
  /** The device never picks up work: its actions stay Pending, then TimeOut. @default true when healthStatus is "Inactive" */
  offline?: boolean;
  /** Final status of a collection that runs. @default "Succeeded" */
  collectionOutcome?: "Succeeded" | "Failed";
  /** Whether the OS can collect an investigation package. @default derived from osPlatform */
  collectionSupported?: boolean;
  /**
   * Emulated seconds after the device is added (at start for the `fleet` option) before it
   * onboards: until then the Machines API does not show it and collect answers 404. @default 0
   */
  onboardAfterSeconds?: number;
}

/** A device, with the fields of the Machines API plus `behavior` (kept out of responses). */
export interface Device {
  id: string;
  computerDnsName: string;
  firstSeen: string;
  lastSeen: string;
  osPlatform: string;
  osVersion: string | null;
  osProcessor: string;
  version: string;
  osBuild: number | null;
  osArchitecture: string;
  lastIpAddress: string;
  lastExternalIpAddress: string;
  agentVersion: string;
  healthStatus: string;
  onboardingStatus: string;
  deviceValue: string;
  rbacGroupId: number;
  rbacGroupName: string;
  riskScore: string;
  exposureLevel: string;
  isAadJoined: boolean;
  aadDeviceId: string | null;
  machineTags: string[];
  managedBy: string;
  managedByStatus: string;
  /** Anything else the Machines API may return; passed through as is. */
  [extra: string]: unknown;
  behavior?: DeviceBehavior;
}

/** Emulated durations of the collection lifecycle, in emulated seconds. */
export interface LifecycleOptions {
  /** Time an online device takes to pick up the action. @default 60 */
  pendingSeconds?: number;
  /** Time the collection runs. @default 300 */
  inProgressSeconds?: number;
  /** Time an action for an offline device stays Pending before TimeOut. @default 86400 (one day) */
  offlineTimeoutSeconds?: number;
  /** Time one live response command (GetFile) runs. @default 30 */
  liveResponseCommandSeconds?: number;
  /** Time a live response session for an offline device stays queued (Pending) before TimeOut. @default 259200 (three days, as documented) */
  liveResponseQueueSeconds?: number;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** N emulated seconds per real second: rate-limit windows, lifecycle delays, token lifetime and link expiry shrink by N. @default 1 */
  timeScale?: number;
  /** PEM files to serve with instead of generating a CA and server certificate at start. */
  tls?: { certPath: string; keyPath: string; caPath?: string };
  /** Where the CA PEM is written. @default `ca.pem` in a fresh temp directory */
  caFile?: string;
  /** Devices, or the path of a JSON file holding an array of them. @default about 20 built-in devices */
  fleet?: Device[] | string;
  /** Registered apps; the first is `defaultApp`. @default one app with a generated secret and every role */
  apps?: AppRegistrationInput[];
  /**
   * Entra tenants to serve, at most 100 (`MAX_TENANTS`). Tenant 0 is the default app's; each other
   * gets a generated tenant id, its own default app and user, a copy of the fleet with the same
   * computer names and ids of its own, and its own actions (see `Emulator.tenant`). @default 1
   */
  tenants?: number;
  /** Users who can get delegated tokens; the first is `defaultUser`. @default one user with full access */
  users?: UserRegistrationInput[];
  /** Access-token lifetime in emulated seconds. @default 3600 */
  tokenLifetimeSeconds?: number;
  lifecycle?: LifecycleOptions;
  /** Answer to a second collection while one runs: 400 ActiveRequestAlreadyExists, or 201 with the existing action. @default "conflict" */
  duplicateCollection?: "conflict" | "returnExisting";
  /** Answer to a second isolate (or unisolate) while one of the same kind is pending or running on the device. @default "conflict" */
  duplicateIsolation?: "conflict" | "returnExisting";
  /** Live response sessions (pending or running) one tenant may have at once. @default 25 */
  liveResponseSessionsPerTenant?: number;
  /**
   * Answer to a live response session beyond `liveResponseSessionsPerTenant`: 429 TooManyRequests
   * with `Retry-After` until the first session ends (as documented), or accept it and keep it
   * Pending until a session ends. @default "reject"
   */
  liveResponseOverflow?: "reject" | "queue";
  /** Lifetime of a live response result link, in emulated seconds. @default 1800 (30 minutes, as documented) */
  liveResponseLinkLifetimeSeconds?: number;
  /** @default true */
  rateLimits?: boolean;
  /** Lifetime of a package download link, in emulated seconds. @default 600 */
  packageLinkLifetimeSeconds?: number;
  /** Wrap the GetPackageUri value in literal double quotes, as Microsoft's documented example does. @default false */
  quotePackageUri?: boolean;
  /**
   * Extra incompressible bytes added to every package as a stored zip member, generated while
   * streaming (a 1 GiB package is never in memory). At most `MAX_PACKAGE_PADDING_BYTES` (no ZIP64).
   * @default 0
   */
  packagePaddingBytes?: number;
  /** Honour `Range` on package downloads (206, `Accept-Ranges: bytes`); false sends every download whole (200). @default true */
  downloadRanges?: boolean;
  /** Token the admin API (`/_emulator/*`) requires when it does. @default random, 32 bytes as hex */
  adminToken?: string;
  /** Require {@link EmulatorOptions.adminToken} on `/_emulator/*`. @default true unless `host` is a loopback address */
  requireAdminToken?: boolean;
  /** Longest request URL (path and query) accepted, in bytes; longer gets 414 as HTTP.sys answers. @default 16384 */
  maxUrlBytes?: number;
  /** Receives one readable line per request; never tokens, secrets or links. @default silent */
  log?: (line: string) => void;
}

/** Per-route counts of calls by status. */
export type Counters = Record<string, { total: number; byStatus: Record<string, number> }>;

/** A running emulator. */
export interface Emulator {
  /** Origin, e.g. `https://127.0.0.1:41234`; the API lives under `${url}/api`. */
  readonly url: string;
  /** Origin serving `/{tenant}/oauth2/v2.0/token` (the same server). */
  readonly authorityHost: string;
  /** File holding the PEM of the CA that signed the server certificate. */
  readonly caFile: string;
  readonly caPem: string;
  readonly defaultApp: { tenantId: string; clientId: string; clientSecret: string; roles: string[] };
  /** Every device, including those not onboarded yet; changes made at run time show here. */
  readonly fleet: Device[];
  /** Every tenant, tenant 0 (the default app's) first. */
  readonly tenants: readonly EmulatorTenant[];
  /**
   * Tenant `index` of `tenants`: its default app, user, fleet and calls.
   * @throws RangeError for an index the emulator was not started with
   */
  tenant(index: number): EmulatorTenant;
  /** Registers an app; its roles decide 403s. */
  addApp(app: AppRegistrationInput): AppRegistration;
  /** The first registered user (with its password, for the password grant). */
  readonly defaultUser: UserRegistration;
  /** Registers a user (replacing one with the same UPN); its role permissions and device groups decide 403s. */
  addUser(user: UserRegistrationInput): UserRegistration;
  /** Mints a delegated (user) access token, as `az account get-access-token` would return. */
  issueUserToken(options?: IssueUserTokenOptions): string;
  /** Replaces a device's `machineTags` (by id or computerDnsName); returns the device. */
  setMachineTags(idOrComputerDnsName: string, tags: string[]): Device;
  /**
   * Adds a device that onboards `afterSeconds` emulated seconds from now (a lab VM that shows up
   * minutes after boot). Needs `computerDnsName` and `osPlatform`; the rest gets defaults.
   */
  onboardDevice(device: Partial<Device>, options?: OnboardDeviceOptions): Device;
  /**
   * Environment a GitHub Actions job has for OIDC (`ACTIONS_ID_TOKEN_REQUEST_URL`,
   * `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, plus `NODE_EXTRA_CA_CERTS`), its ID tokens naming `subject`.
   */
  githubActionsEnv(options?: GithubActionsEnvOptions): GithubActionsEnv;
  /** Calls so far, oldest first; `tenantId` keeps those made as that tenant. */
  calls(filter?: CallFilter): CallRecord[];
  resetRecord(): void;
  /**
   * Mints an access token directly (no token request), e.g. the pre-obtained bearer token a user
   * pastes, or a deliberately wrong one: another audience, already expired, other roles.
   * @default the default app, its roles, the Defender audience and the configured lifetime
   */
  issueToken(options?: IssueTokenOptions): string;
  /** Every access token issued so far (token endpoint and managed identity), oldest first. */
  issuedTokens(): string[];
  /**
   * A server certificate and key for a service beside the emulator (Azurite), signed by the CA in
   * `caFile`, so clients trusting that CA alone trust both. An emulator started with `tls` files
   * holds no CA key and returns its own server certificate and key instead.
   * @default options the loopback names: localhost, 127.0.0.1, ::1
   */
  issueServerCertificate(options?: ServerCertificateOptions): CertificateWithKey;
  /**
   * The `mde:*` stack config that points the pulumi-mde provider at this emulator with the default
   * app (the client secret flagged secret; `mde:timeScale` when the emulator is time-scaled);
   * `{ tenant: i }` names tenant i's default app instead.
   * @throws RangeError for a tenant the emulator was not started with
   */
  providerConfig(options?: ProviderConfigOptions): Record<string, { value: string; secret: boolean }>;
  /** Per-route totals since the last reset. */
  counters(): Counters;
  injectFault(rule: FaultRule): void;
  /** Token of the admin API: required when it listens beyond loopback (or `requireAdminToken`). */
  readonly adminToken: string;
  /** SHA-256 (lowercase hex) of the package of `actionId`: exactly the bytes a whole, unfaulted download gets. */
  packageSha256(actionId: string): Promise<string>;
  /** Size in bytes of the package of `actionId`, without generating it. @throws Error for an unknown action */
  packageSize(actionId: string): number;
  /**
   * Isolation state of a device (by id or computerDnsName): its latest Succeeded Isolate or
   * Unisolate action by completion time, as the service derives it (the Machine entity has no such field).
   * @throws Error for an unknown device
   */
  isolationOf(idOrComputerDnsName: string): IsolationState;
  /** The bytes a live response GetFile of `path` on the device would collect now, or undefined when there is no such file. */
  deviceFile(idOrComputerDnsName: string, path: string): Buffer | undefined;
  /** Puts a file on the device's emulated file system (`null` removes it, built-in files included). */
  setDeviceFile(idOrComputerDnsName: string, path: string, content: Buffer | string | null): void;
  clearFaults(): void;
  /** Spends quota as another caller of the same app would ("foreign traffic"). */
  consumeQuota(args: { clientId: string; tenantId: string; route: RouteName; count: number }): void;
  /** Moves emulated time forward (lifecycle, token expiry, link expiry, rate-limit windows). */
  advanceTime(emulatedSeconds: number): void;
  /** Environment a process needs so msal-node's ManagedIdentityApplication gets tokens here. */
  managedIdentityEnv(options?: ManagedIdentityEnvOptions): Record<string, string>;
  /** The managed identity a system-assigned request gets. */
  readonly managedIdentity: { tenantId: string; clientId: string; roles: string[] };
  close(): Promise<void>;
}

/** Isolation types of the isolate request. */
export type IsolationType = "Full" | "Selective" | "UnManagedDevice";

/** What {@link Emulator.isolationOf} answers. */
export interface IsolationState {
  isolated: boolean;
  /** The type of the isolation in force, when isolated. */
  isolationType?: IsolationType;
  /** The Isolate or Unisolate action that decided the state; absent when the device never had one succeed. */
  actionId?: string;
  /** When that action completed (ISO). */
  sinceUtc?: string;
}

/** Options of {@link Emulator.issueToken}. */
export interface IssueTokenOptions {
  /** App to issue for; must be registered. @default the default app */
  clientId?: string;
  tenantId?: string;
  /**
   * `https://storage.azure.com` (`STORAGE_AUDIENCE`) mints a storage token Azurite accepts.
   * @default "https://api.securitycenter.microsoft.com"
   */
  audience?: string;
  /** Emulated seconds; zero or negative gives an expired token. */
  lifetimeSeconds?: number;
  /** @default the app's roles; none on a storage token */
  roles?: string[];
}

/** Options of {@link Emulator.onboardDevice}. */
export interface OnboardDeviceOptions {
  /** Emulated seconds from now until the device onboards. @default 0 (at once) */
  afterSeconds?: number;
}

/** Options of {@link Emulator.managedIdentityEnv}. */
export interface ManagedIdentityEnvOptions {
  /** Which msal-node source to select. @default "appService" */
  source?: "appService" | "imds";
}
