/**
 * Wires the emulator: TLS, the shared state, the request pipeline (record → fault → auth →
 * rate limit → roles → handler) and the programmatic control surface.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { generateAdminToken, isLoopbackHost } from "./adminAuth";
import { AppRegistry, generateClientSecret } from "./appRegistry";
import { issueServerCertificate, sharedTlsMaterial } from "./certificates";
import { Clock } from "./clock";
import type { EmulatorContext, RouteRequest } from "./context";
import { authorizeDelegated } from "./delegatedAccess";
import { DeviceFileSystem } from "./deviceFiles";
import { targetingMethods } from "./emulatorTargeting";
import { EntraError, EntraErrorFactory } from "./entraErrors";
import { MdeError, MdeErrorFactory } from "./errors";
import { FaultInjector } from "./faults";
import { defaultFleet, loadFleet, normalizeFleet } from "./fleet";
import { GithubOidcService } from "./githubOidc";
import { entraErrorResult, type HandlerResult, mdeErrorResult, readBody } from "./http";
import { OnboardingSchedule } from "./onboarding";
import { PackageCatalog } from "./packageCatalog";
import { PackageLinkSigner } from "./packageLink";
import { RateLimiter } from "./rateLimiter";
import { CallRecorder } from "./record";
import { responseActionMethods } from "./responseActionControl";
import { type BodyFaults, writeResult } from "./responseWriter";
import { ROUTE_ROLES } from "./roles";
import { matchRoute, type RouteMatch } from "./router";
import { handleAdmin } from "./routes/admin";
import { handleDownload } from "./routes/download";
import { handleGithubIdToken } from "./routes/githubOidc";
import { handleIsolate, handleUnisolate } from "./routes/isolation";
import {
  handleLiveResponseDownload,
  handleLiveResponseLink,
  handleRunLiveResponse,
} from "./routes/liveResponse";
import {
  handleCancel,
  handleCollect,
  handleGetAction,
  handleGetPackageUri,
  handleListActions,
} from "./routes/machineActions";
import { handleFindMachinesByTag, handleGetMachine, handleListMachines } from "./routes/machines";
import { handleManagedIdentity } from "./routes/managedIdentity";
import { handleDiscovery, handleToken } from "./routes/token";
import { StorageErrorFactory } from "./storageErrors";
import { ActionStore } from "./store";
import { createTenants, providerConfigFor, scheduleTenantsOnboarding, tenantView } from "./tenantControl";
import { requestTenant, scopeToTenant, tenantCount } from "./tenants";
import type { EmulatorTenant } from "./tenantTypes";
import { TokenService } from "./tokenService";
import type { AppRegistration, Emulator, EmulatorOptions, FaultRule, RouteName } from "./types";
import { DEFAULT_MAX_URL_BYTES, HEADER_ALLOWANCE_BYTES, urlTooLongResult } from "./urlLimit";
import { DEFAULT_USER_UPN, UserRegistry } from "./userRegistry";
import { MAX_ZIP_BYTES } from "./zipWriter";

/** Defaults of {@link EmulatorOptions}. */
export const EMULATOR_DEFAULTS = {
  host: "127.0.0.1",
  port: 0,
  timeScale: 1,
  tokenLifetimeSeconds: 3600,
  duplicateCollection: "conflict",
  rateLimits: true,
  packageLinkLifetimeSeconds: 600,
  quotePackageUri: false,
  packagePaddingBytes: 0,
  downloadRanges: true,
  maxUrlBytes: DEFAULT_MAX_URL_BYTES,
  duplicateIsolation: "conflict",
  liveResponseSessionsPerTenant: 25,
  liveResponseOverflow: "reject",
  liveResponseLinkLifetimeSeconds: 1800,
} as const;

/** Largest `packagePaddingBytes`: the package must stay under 4 GiB (no ZIP64); 64 MiB is left for the rest. */
export const MAX_PACKAGE_PADDING_BYTES = MAX_ZIP_BYTES - 64 * 1024 * 1024;

type Handler = (ctx: EmulatorContext, req: RouteRequest) => HandlerResult | Promise<HandlerResult>;

const API_HANDLERS: Partial<Record<RouteName, Handler>> = {
  getMachine: handleGetMachine,
  listMachines: handleListMachines,
  findMachinesByTag: handleFindMachinesByTag,
  collect: handleCollect,
  getAction: handleGetAction,
  listActions: handleListActions,
  getPackageUri: handleGetPackageUri,
  cancel: handleCancel,
  isolate: handleIsolate,
  unisolate: handleUnisolate,
  liveResponse: handleRunLiveResponse,
  liveResponseLink: handleLiveResponseLink,
};

/** Routes answered in Entra's error shape rather than the API's. */
const ENTRA_ROUTES: ReadonlySet<string> = new Set(["token", "discovery", "managedIdentity"]);

function loadTls(options: EmulatorOptions): { key: string; cert: string; caPem: string; caKeyPem?: string } {
  if (options.tls) {
    const cert = readFileSync(options.tls.certPath, "utf8");
    const key = readFileSync(options.tls.keyPath, "utf8");
    // Without a CA file the server certificate is its own trust anchor (self-signed).
    const caPem = options.tls.caPath ? readFileSync(options.tls.caPath, "utf8") : cert;
    return { key, cert, caPem };
  }
  const material = sharedTlsMaterial();
  return { key: material.keyPem, cert: material.certPem, caPem: material.caPem, caKeyPem: material.caKeyPem };
}

function formatHost(host: string): string {
  // A wildcard address is where to listen, not where to connect: links and URLs use loopback.
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return reachable.includes(":") ? `[${reachable}]` : reachable;
}

/** The body faults of a rule, if it is one. */
function bodyFaultsOf(fault: FaultRule | undefined): BodyFaults {
  if (fault?.kind === "cutAfterBytes") return { cutAfterBytes: fault.bytes };
  if (fault?.kind === "corruptAt") return { corruptAt: fault.offset };
  if (fault?.kind === "trickle")
    return { trickle: { intervalMs: fault.intervalMs, bytes: fault.bytes ?? 1 } };
  if (fault?.kind === "endlessBody") return { endless: true };
  return {};
}

function bearerToken(req: RouteRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Verifies the token, spends quota and checks roles; throws the matching API error. */
function authorizeApiCall(ctx: EmulatorContext, route: RouteName, req: RouteRequest): void {
  const token = bearerToken(req);
  if (!token) throw MdeErrorFactory.missingToken();
  const claims = ctx.tokens.verify(token);
  req.claims = claims;
  req.call.identify(claims.appid, claims.tid);
  const decision = ctx.limiter.take({ tenantId: claims.tid, clientId: claims.appid, route });
  if (!decision.allowed) throw MdeErrorFactory.tooManyRequests(decision.retryAfterMs, decision.limit);
  // A user (delegated) token carries `scp`, checked with the user's Defender roles instead of `roles`.
  if (claims.scp) {
    authorizeDelegated(ctx, route, claims);
    return;
  }
  const anyOf = ROUTE_ROLES[route];
  if (anyOf && !anyOf.some((role) => claims.roles.includes(role))) throw MdeErrorFactory.missingRole(anyOf);
}

function dispatch(
  ctx: EmulatorContext,
  match: RouteMatch,
  req: RouteRequest,
): HandlerResult | Promise<HandlerResult> {
  switch (match.route) {
    case "admin":
      return handleAdmin(ctx, req);
    case "unknown":
      throw MdeErrorFactory.notFound(req.url.pathname);
    case "token":
      return handleToken(ctx, req);
    case "discovery":
      return handleDiscovery(ctx, req);
    case "managedIdentity":
      return handleManagedIdentity(ctx, req);
    case "githubOidc":
      return handleGithubIdToken(ctx, req);
    case "download":
      return handleDownload(ctx, req);
    case "liveResponseDownload":
      return handleLiveResponseDownload(ctx, req);
    default: {
      const handler = API_HANDLERS[match.route];
      if (!handler) throw MdeErrorFactory.notFound(req.url.pathname);
      authorizeApiCall(ctx, match.route, req);
      // One endpoint serves every tenant: the token's tenant decides whose devices and actions these are.
      return handler(scopeToTenant(ctx, ctx.tenants.dataOf(req.claims?.tid)), req);
    }
  }
}

function faultResult(
  ctx: EmulatorContext,
  route: RouteName,
  fault: FaultRule & { kind: "status" },
): HandlerResult {
  if (ENTRA_ROUTES.has(route)) {
    return entraErrorResult(EntraErrorFactory.injected(fault.status, fault.retryAfterSeconds), ctx.origin);
  }
  // The link host is Blob Storage: its errors are XML (a 403 reads like an expired link).
  if (route === "download" || route === "liveResponseDownload")
    return StorageErrorFactory.injected(fault.status, fault.code, fault.retryAfterSeconds);
  return mdeErrorResult(MdeErrorFactory.injected(fault.status, fault.code, fault.retryAfterSeconds));
}

function write(res: ServerResponse, result: HandlerResult): void {
  void writeResult(res, result);
}

/**
 * Starts an emulator of the Defender for Endpoint API and its Entra ID token endpoint on HTTPS.
 * Resolves once it is listening.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? EMULATOR_DEFAULTS.host;
  const packagePaddingBytes = options.packagePaddingBytes ?? EMULATOR_DEFAULTS.packagePaddingBytes;
  if (!Number.isSafeInteger(packagePaddingBytes) || packagePaddingBytes < 0) {
    throw new RangeError("packagePaddingBytes must be a non-negative integer");
  }
  if (packagePaddingBytes > MAX_PACKAGE_PADDING_BYTES) {
    throw new RangeError(`packagePaddingBytes must be at most ${MAX_PACKAGE_PADDING_BYTES} (no ZIP64)`);
  }
  const maxUrlBytes = options.maxUrlBytes ?? EMULATOR_DEFAULTS.maxUrlBytes;
  const liveResponseSessions =
    options.liveResponseSessionsPerTenant ?? EMULATOR_DEFAULTS.liveResponseSessionsPerTenant;
  if (!Number.isSafeInteger(liveResponseSessions) || liveResponseSessions < 1) {
    throw new RangeError("liveResponseSessionsPerTenant must be a positive integer");
  }
  // Checked before anything is written or listened on.
  const tenantTotal = tenantCount(options.tenants);
  const adminToken = options.adminToken ?? generateAdminToken();
  const clock = new Clock(options.timeScale ?? EMULATOR_DEFAULTS.timeScale);
  const tls = loadTls(options);
  // A CA file in a temp folder of our own is removed at close; one the caller named is the caller's.
  const ownCaDir = options.caFile ? undefined : mkdtempSync(join(tmpdir(), "mde-emulator-"));
  const caFile = options.caFile ?? join(ownCaDir as string, "ca.pem");
  writeFileSync(caFile, tls.caPem);

  const registry = new AppRegistry();
  const [firstInput, ...otherInputs] = options.apps ?? [{}];
  const first = registry.add({
    displayName: "pulumi-mde",
    ...firstInput,
    clientSecret: firstInput?.clientSecret ?? generateClientSecret(),
  });
  for (const app of otherInputs) registry.add(app);
  const systemIdentity = registry.add({
    tenantId: first.tenantId,
    displayName: "system-assigned managed identity",
    managedIdentity: false,
  });

  const fleetOption = options.fleet;
  const fleet =
    typeof fleetOption === "string"
      ? loadFleet(fleetOption)
      : fleetOption
        ? normalizeFleet(fleetOption)
        : defaultFleet(clock.nowMs());

  const log = options.log ?? (() => {});
  const limiter = new RateLimiter(clock, options.rateLimits ?? EMULATOR_DEFAULTS.rateLimits);
  const faults = new FaultInjector();
  const recorder = new CallRecorder();
  const store = new ActionStore(clock, options.lifecycle);
  const github = new GithubOidcService(clock);
  const users = new UserRegistry(first.tenantId);
  const [firstUser = { upn: DEFAULT_USER_UPN }, ...otherUsers] = options.users ?? [];
  const defaultUser = users.add(firstUser);
  for (const user of otherUsers) users.add(user);
  const tenants = createTenants({
    count: tenantTotal,
    defaultApp: first,
    defaultUser,
    fleet,
    store,
    registry,
    users,
    newStore: () => new ActionStore(clock, options.lifecycle),
  });
  const ctx: EmulatorContext = {
    origin: "",
    caFile,
    clock,
    registry,
    tokens: new TokenService({
      registry,
      clock,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? EMULATOR_DEFAULTS.tokenLifetimeSeconds,
      emulatedIssuerKey: (issuer) => github.keyFor(issuer),
    }),
    store,
    fleet,
    tenants,
    onboarding: new OnboardingSchedule(clock),
    users,
    github,
    links: new PackageLinkSigner(),
    files: new DeviceFileSystem(),
    packages: new PackageCatalog(packagePaddingBytes),
    limiter,
    faults,
    recorder,
    settings: {
      duplicateCollection: options.duplicateCollection ?? EMULATOR_DEFAULTS.duplicateCollection,
      packageLinkLifetimeSeconds:
        options.packageLinkLifetimeSeconds ?? EMULATOR_DEFAULTS.packageLinkLifetimeSeconds,
      quotePackageUri: options.quotePackageUri ?? EMULATOR_DEFAULTS.quotePackageUri,
      packagePaddingBytes,
      downloadRanges: options.downloadRanges ?? EMULATOR_DEFAULTS.downloadRanges,
      duplicateIsolation: options.duplicateIsolation ?? EMULATOR_DEFAULTS.duplicateIsolation,
      liveResponseSessionsPerTenant: liveResponseSessions,
      liveResponseOverflow: options.liveResponseOverflow ?? EMULATOR_DEFAULTS.liveResponseOverflow,
      liveResponseLinkLifetimeSeconds:
        options.liveResponseLinkLifetimeSeconds ?? EMULATOR_DEFAULTS.liveResponseLinkLifetimeSeconds,
      adminToken,
      requireAdminToken: options.requireAdminToken ?? !isLoopbackHost(host),
    },
    managedIdentity: { app: systemIdentity, identityHeader: randomBytes(16).toString("hex") },
    resetAll: () => {
      recorder.reset();
      faults.clear();
      limiter.reset();
      tenants.reset();
      ctx.packages.clear();
    },
  };

  // Delays of devices given with behavior.onboardAfterSeconds count from start.
  scheduleTenantsOnboarding(ctx);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const url = new URL(rawUrl, ctx.origin);
    const match = matchRoute(method, url.pathname);
    const call = recorder.begin(match.route, method, rawUrl, req.headers);
    const routeRequest: RouteRequest = {
      method,
      url,
      headers: req.headers,
      body: Buffer.alloc(0),
      params: match.params,
      call,
    };
    const finishLog = (status: number, errorCode?: string) => {
      const record = call.finish(status, errorCode);
      log(
        `${method} ${record.path} -> ${status === 0 ? "dropped" : status}${errorCode ? ` ${errorCode}` : ""} ${record.endMs - record.startMs}ms${record.clientId ? ` app=${record.clientId}` : ""}${tenants.list.length > 1 && record.tenantId ? ` tenant=${record.tenantId}` : ""}`,
      );
    };
    if (Buffer.byteLength(rawUrl) > maxUrlBytes) {
      // Refused before routing, as a front end would: no fault, quota or handler is involved.
      await readBody(req).catch(() => undefined);
      const result = urlTooLongResult();
      write(res, result);
      finishLog(result.status, result.errorCode);
      return;
    }
    const isServiceRoute = match.route !== "admin" && match.route !== "unknown";
    const fault = isServiceRoute
      ? faults.take(match.route as RouteName, requestTenant(ctx, match, routeRequest))
      : undefined;
    try {
      if (fault?.kind === "reset") {
        req.socket.destroy();
        finishLog(0, "reset");
        return;
      }
      if (fault?.kind === "latency") await sleep(fault.ms);
      if (fault?.kind === "completeAfterRelease") routeRequest.completeAfterRelease = true;
      let result: HandlerResult;
      if (fault?.kind === "status") {
        // Drain the body so the connection stays usable for the client's next request.
        await readBody(req).catch(() => undefined);
        result = faultResult(ctx, match.route as RouteName, fault);
      } else {
        try {
          routeRequest.body = await readBody(req);
          result = await dispatch(ctx, match, routeRequest);
        } catch (error) {
          if (error instanceof MdeError) result = mdeErrorResult(error);
          else if (error instanceof EntraError) result = entraErrorResult(error, ctx.origin);
          else throw error;
        }
      }
      if (fault?.kind === "commitThenDrop") {
        req.socket.destroy();
        finishLog(0, "commitThenDrop");
        return;
      }
      const outcome = await writeResult(res, result, bodyFaultsOf(fault));
      call.bodySent(outcome.bodyBytes);
      const errorCode = outcome.cut
        ? "cutAfterBytes"
        : outcome.clientClosed
          ? "clientClosed"
          : result.errorCode;
      finishLog(result.status, errorCode);
    } catch (error) {
      log(`internal error on ${method} ${url.pathname}: ${(error as Error).message}`);
      const result = mdeErrorResult(MdeErrorFactory.internalServerError());
      if (!res.headersSent) write(res, result);
      else res.destroy();
      finishLog(500, "InternalServerError");
    }
  };

  const server: Server = createServer(
    { key: tls.key, cert: tls.cert, maxHeaderSize: maxUrlBytes + HEADER_ALLOWANCE_BYTES },
    (req, res) => {
      void handle(req, res);
    },
  );
  // Idle connections stay open 120 s (IIS's default connection timeout) rather than Node's 5 s:
  // a client reusing a connection the server just closed sees ECONNRESET, a race real front
  // ends make rare and a busy test machine made frequent.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? EMULATOR_DEFAULTS.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `https://${formatHost(host)}:${port}`;
  ctx.origin = origin;

  const scale = options.timeScale ?? EMULATOR_DEFAULTS.timeScale;
  const tenantViews: EmulatorTenant[] = [];
  const emulator: Emulator = {
    ...targetingMethods(ctx, defaultUser),
    ...responseActionMethods(ctx),
    url: origin,
    authorityHost: origin,
    caFile,
    caPem: tls.caPem,
    defaultApp: {
      tenantId: first.tenantId,
      clientId: first.clientId,
      clientSecret: first.clientSecret ?? "",
      roles: [...first.roles],
    },
    fleet,
    tenants: tenantViews,
    tenant: (index) => {
      ctx.tenants.at(index);
      return tenantViews[index] as EmulatorTenant;
    },
    managedIdentity: {
      tenantId: systemIdentity.tenantId,
      clientId: systemIdentity.clientId,
      roles: [...systemIdentity.roles],
    },
    addApp: (app): AppRegistration => registry.add(app),
    calls: (filter) => recorder.list(filter),
    resetRecord: () => recorder.reset(),
    counters: () => recorder.counters(),
    issuedTokens: () => [...ctx.tokens.issued],
    // Files give no CA key: the emulator's own certificate is then the one a client trusts.
    issueServerCertificate: (certOptions) =>
      tls.caKeyPem
        ? issueServerCertificate({ caPem: tls.caPem, caKeyPem: tls.caKeyPem }, certOptions)
        : { certPem: tls.cert, keyPem: tls.key },
    providerConfig: (configOptions = {}) =>
      providerConfigFor(ctx, ctx.tenants.at(configOptions.tenant ?? 0).defaultApp, scale),
    issueToken: (issueOptions = {}) => {
      const app = registry.find(
        issueOptions.tenantId ?? first.tenantId,
        issueOptions.clientId ?? first.clientId,
      );
      if (!app)
        throw new Error(`no app ${issueOptions.clientId} is registered in tenant ${issueOptions.tenantId}`);
      const { clientId: _c, tenantId: _t, ...overrides } = issueOptions;
      return ctx.tokens.issue(app, "1", overrides).access_token;
    },
    injectFault: (rule) => faults.add(rule),
    adminToken,
    packageSha256: async (actionId) => {
      const entry = tenants.findAction(actionId)?.entry;
      if (!entry) throw new Error(`no machine action ${actionId}`);
      return (await (await ctx.packages.open(entry)).digests()).sha256;
    },
    packageSize: (actionId) => {
      const entry = tenants.findAction(actionId)?.entry;
      if (!entry) throw new Error(`no machine action ${actionId}`);
      return ctx.packages.size(entry);
    },
    clearFaults: () => faults.clear(),
    consumeQuota: ({ clientId, tenantId, route, count }) =>
      limiter.consume({ clientId, tenantId, route }, count),
    advanceTime: (seconds) => clock.advance(seconds),
    managedIdentityEnv: (envOptions): Record<string, string> =>
      envOptions?.source === "imds"
        ? { AZURE_POD_IDENTITY_AUTHORITY_HOST: origin, NODE_EXTRA_CA_CERTS: caFile }
        : {
            IDENTITY_ENDPOINT: `${origin}/msi/token`,
            IDENTITY_HEADER: ctx.managedIdentity.identityHeader,
            NODE_EXTRA_CA_CERTS: caFile,
          },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          if (ownCaDir) rmSync(ownCaDir, { recursive: true, force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
  for (const tenant of tenants.list) {
    tenantViews.push(tenantView(ctx, tenant, { timeScale: scale, issueToken: emulator.issueToken }));
  }
  return emulator;
}
