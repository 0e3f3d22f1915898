/**
 * The Defender for Endpoint client: tokens, rate budgets, retries and the collect POST policy in one
 * place, so resources and program-side functions only say what they want.
 *
 * Reads are retried with backoff inside their family's budget. The collect POST is not idempotent: it is
 * repeated only after a certain refusal; after a doubtful outcome the action is looked up first.
 */
import { getTokenProvider, type TokenProvider } from "./auth/tokenProvider";
import { DefenderError, type DefenderOperation, isDefenderError } from "./errors";
import { HttpClient, type JsonResponse } from "./http/httpClient";
import { type EndpointFamily, getRateLimiter, type RateLimiter } from "./rateLimiter";
import { registerSecret } from "./redact";
import { decideRetry, type RetryOptions } from "./retryStrategy";
import { credentialFingerprint, type Settings } from "./settings";
import {
  COLLECT_INVESTIGATION_PACKAGE,
  isFinalStatus,
  isValidMachineId,
  type Machine,
  type MachineAction,
  normalizeMachineAction,
  type ODataCollection,
  odataString,
} from "./types";

/**
 * How far before an attempt's start an action may claim to have been created and still count as the
 * result of that attempt, in milliseconds: covers clock skew between us and the service.
 */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;
/** `$top` of the look-ups that find a collection after a doubtful outcome or a conflict. */
export const LOOKUP_TOP = 100;
/** Default `$top` of {@link DefenderClient.listMachineActions} and {@link DefenderClient.listMachines}. */
export const DEFAULT_LIST_TOP = 1000;
/** Largest `$top` the API accepts. */
export const MAX_LIST_TOP = 10_000;

/** Options of {@link DefenderClient}. */
export interface DefenderClientOptions {
  /**
   * Receives redacted diagnostic lines (requests, retries).
   * @default no logging
   */
  log?: (line: string) => void;
  /**
   * Retry tuning; `timeScale` defaults to the settings' one.
   * @default the defaults of `decideRetry`
   */
  retry?: RetryOptions;
  /**
   * Rate limiter.
   * @default the process-wide limiter of the settings (`getRateLimiter`)
   */
  rateLimiter?: RateLimiter;
  /**
   * Token provider.
   * @default the process-wide provider of the settings' credential (`getTokenProvider`)
   */
  tokenProvider?: TokenProvider;
  /**
   * HTTP client.
   * @default a client on the shared dispatcher of the settings
   */
  httpClient?: HttpClient;
  /**
   * Clock, epoch milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/** Options common to every call. */
export interface RequestOptions {
  /** Aborts waiting, retrying and the request in flight. */
  signal?: AbortSignal;
}

/** Options of list calls. */
export interface ListOptions extends RequestOptions {
  /**
   * `$top`: most items returned (at most 10000).
   * @default DEFAULT_LIST_TOP (1000)
   */
  top?: number;
  /** `$skip`: items to skip, for paging. */
  skip?: number;
}

/** Options of {@link DefenderClient.collectInvestigationPackage}. */
export interface CollectOptions extends RequestOptions {
  /**
   * When the device is already collecting (400 `ActiveRequestAlreadyExists`, or 201 answering with the
   * existing action), return the running action with `adopted: true` instead of throwing
   * `MDE_ACTIVE_REQUEST_EXISTS`.
   * @default false
   */
  adoptRunning?: boolean;
}

/** Result of {@link DefenderClient.collectInvestigationPackage}. */
export interface CollectResult {
  /** The collection's MachineAction. */
  action: MachineAction;
  /** True when `action` is a collection that was already running (only with `adoptRunning`). */
  adopted: boolean;
  /** True when the action was found by a look-up after a doubtful outcome (the response was lost). */
  recovered?: boolean;
}

/** Result of {@link DefenderClient.cancelMachineAction}. */
export interface CancelResult {
  /** The action after the request. */
  action: MachineAction;
  /** True when the action was already final, so nothing was cancelled. */
  alreadyFinal: boolean;
}

interface CallSpec {
  family: EndpointFamily;
  method: "GET" | "POST";
  /** Whether repeating the request is harmless (GETs, cancel). */
  idempotent: boolean;
  path: string;
  operation: DefenderOperation;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  machineId?: string;
  actionId?: string;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(): DefenderError {
  return new DefenderError("MDE_ABORTED", "The operation was aborted.");
}

function asDefenderError(error: unknown): DefenderError {
  if (error instanceof DefenderError) return error;
  return new DefenderError("MDE_NETWORK_ERROR", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/** OData date-time literal, second precision. */
function odataDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function newestFirst(a: MachineAction, b: MachineAction): number {
  return (Date.parse(b.creationDateTimeUtc) || 0) - (Date.parse(a.creationDateTimeUtc) || 0);
}

/** Client of the Defender for Endpoint API for one settings. */
export class DefenderClient {
  private readonly tokens: TokenProvider;
  private readonly limiter: RateLimiter;
  private readonly http: HttpClient;
  private readonly retry: RetryOptions;
  private readonly now: () => number;
  private readonly log: ((line: string) => void) | undefined;

  constructor(
    readonly settings: Settings,
    options: DefenderClientOptions = {},
  ) {
    this.log = options.log;
    this.tokens = options.tokenProvider ?? getTokenProvider(settings, this.log ? { log: this.log } : {});
    this.limiter = options.rateLimiter ?? getRateLimiter(settings);
    this.http = options.httpClient ?? new HttpClient(settings, this.log ? { log: this.log } : {});
    this.retry = { timeScale: settings.timeScale, ...options.retry };
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts an investigation-package collection on a device, at most once.
   *
   * Runs in the `collect` budget (one in flight). A 429 pauses the family for `Retry-After` and retries;
   * other certain refusals (503, connection refused) are retried with backoff. After a doubtful outcome
   * (timeout or reset after sending, 5xx) the device's actions are searched for one created since the
   * attempt with the same comment: if found it is returned (`recovered: true`), otherwise the POST is
   * sent again (bounded by the retry options).
   *
   * @param machineId - Device id (hex, 32–40 characters).
   * @param comment - The request's `Comment` (required by the API; also used to recognise our action).
   * @throws DefenderError `MDE_ACTIVE_REQUEST_EXISTS` with `action` set to the running collection when it
   *   could be found (unless `adoptRunning`); `MDE_NOT_FOUND` for an unknown device; `MDE_OS_NOT_SUPPORTED`;
   *   `MDE_FORBIDDEN`; `MDE_OUTCOME_UNKNOWN` when a doubtful outcome could not be checked; `MDE_BAD_REQUEST`
   *   for an invalid id or empty comment (nothing sent).
   */
  async collectInvestigationPackage(
    machineId: string,
    comment: string,
    options: CollectOptions = {},
  ): Promise<CollectResult> {
    const { signal } = options;
    if (!isValidMachineId(machineId)) {
      throw new DefenderError(
        "MDE_BAD_REQUEST",
        `Invalid device id ${JSON.stringify(machineId)}: expected 32 to 40 hexadecimal characters (the device id ` +
          "shown in the Defender portal URL or returned by the Machines API).",
        { operation: "collect" },
      );
    }
    if (comment.trim() === "") {
      throw new DefenderError(
        "MDE_BAD_REQUEST",
        "The collection comment must not be empty: the API requires it.",
        {
          operation: "collect",
        },
      );
    }
    const since = this.now() - CLOCK_SKEW_MARGIN_MS;
    const isOurs = (action: MachineAction) =>
      action.requestorComment === comment &&
      (Number.isNaN(Date.parse(action.creationDateTimeUtc)) ||
        Date.parse(action.creationDateTimeUtc) >= since);
    const spec: CallSpec = {
      family: "collect",
      method: "POST",
      idempotent: false,
      path: `/api/machines/${encodeURIComponent(machineId)}/collectInvestigationPackage`,
      operation: "collect",
      body: { Comment: comment },
      machineId,
    };

    let refreshed = false;
    let doubtful = false;
    for (let attempt = 1; ; attempt++) {
      let error: DefenderError;
      const sent: { token?: string } = {};
      try {
        const response = await this.send<unknown>(spec, attempt > 1, signal, sent);
        const action = this.toAction(response.body, "collect");
        if (isOurs(action)) return { action, adopted: false };
        // The "201 with the existing action" variant: someone else's collection is running.
        this.log?.(`collect on ${machineId}: the API answered with the running action ${action.id}`);
        return this.conflict(machineId, action, options);
      } catch (e) {
        if (e instanceof TokenUnavailable) {
          // No POST was sent for this attempt: report the token failure itself, unless an earlier
          // attempt was doubtful (then its outcome still has to be established, which needs a token too).
          if (!doubtful) throw e.cause;
          const found = await this.verifyCollection(
            machineId,
            since,
            isOurs,
            asDefenderError(e.cause),
            signal,
          );
          if (found) return { action: found, adopted: false, recovered: true };
          throw e.cause;
        }
        error = asDefenderError(e);
      }
      if (error.code === "MDE_ABORTED") throw error;
      if (error.code === "MDE_UNAUTHORIZED" && !refreshed && this.tokens.canRefresh) {
        // A 401 is a refusal: nothing was created. Renew the token once.
        refreshed = true;
        this.tokens.invalidate(sent.token);
        attempt--;
        continue;
      }
      if (error.code === "MDE_ACTIVE_REQUEST_EXISTS") {
        const running = await this.findRunningCollection(machineId, signal).catch(() => undefined);
        // After a doubtful attempt, the "running" collection may be the one we started.
        if (running && doubtful && isOurs(running))
          return { action: running, adopted: false, recovered: true };
        return this.conflict(machineId, running, options, error);
      }
      const mayHaveActed =
        error.delivery === "doubtful" ||
        (error.status !== undefined && error.status >= 500 && error.status !== 503);
      if (mayHaveActed) doubtful = true;
      const decision = decideRetry({ method: "POST", attempt, failure: error }, this.retry);
      if (!decision.retry) {
        if (doubtful) {
          const found = await this.verifyCollection(machineId, since, isOurs, error, signal);
          if (found) return { action: found, adopted: false, recovered: true };
        }
        throw error;
      }
      this.log?.(
        `collect on ${machineId}: ${error.code}${error.status ? ` ${error.status}` : ""}; ` +
          `${decision.verifyFirst ? "verifying" : "retrying"} in ${decision.delayMs} ms`,
      );
      if (error.status === 429) this.limiter.pause("collect", decision.delayMs);
      else await sleep(decision.delayMs, signal);
      if (decision.verifyFirst) {
        const found = await this.verifyCollection(machineId, since, isOurs, error, signal);
        if (found) return { action: found, adopted: false, recovered: true };
      }
    }
  }

  /** A MachineAction by id, or null when it does not exist (404). */
  async getMachineAction(id: string, options: RequestOptions = {}): Promise<MachineAction | null> {
    try {
      const response = await this.call<unknown>(
        {
          family: "actions",
          method: "GET",
          idempotent: true,
          path: `/api/machineactions/${encodeURIComponent(id)}`,
          operation: "getAction",
          actionId: id,
        },
        options.signal,
      );
      return this.toAction(response.body, "getAction");
    } catch (error) {
      if (isDefenderError(error, "MDE_NOT_FOUND")) return null;
      throw error;
    }
  }

  /**
   * MachineActions matching an OData `$filter` (build string values with `odataString`, which escapes `'`).
   * Example filter: `machineId eq '<id>' and type eq 'CollectInvestigationPackage'`.
   */
  async listMachineActions(filter?: string, options: ListOptions = {}): Promise<MachineAction[]> {
    const response = await this.call<ODataCollection<unknown>>(
      {
        family: "actions",
        method: "GET",
        idempotent: true,
        path: "/api/machineactions",
        operation: "listActions",
        query: this.listQuery(filter, options),
      },
      options.signal,
    );
    return this.collection(response.body, "listActions")
      .map((raw) => normalizeMachineAction(raw))
      .filter((a): a is MachineAction => a !== undefined);
  }

  /**
   * Cancels a MachineAction that is not final yet. A 400 on an action that turns out to be final returns
   * it with `alreadyFinal: true`.
   * @throws DefenderError `MDE_NOT_FOUND` for an unknown action.
   */
  async cancelMachineAction(
    id: string,
    comment: string,
    options: RequestOptions = {},
  ): Promise<CancelResult> {
    try {
      const response = await this.call<unknown>(
        {
          family: "actions",
          method: "POST",
          // Cancelling twice has the same effect as once.
          idempotent: true,
          path: `/api/machineactions/${encodeURIComponent(id)}/cancel`,
          operation: "cancel",
          body: { Comment: comment },
          actionId: id,
        },
        options.signal,
      );
      return { action: this.toAction(response.body, "cancel"), alreadyFinal: false };
    } catch (error) {
      if (isDefenderError(error, "MDE_BAD_REQUEST")) {
        const current = await this.getMachineAction(id, options);
        if (current && isFinalStatus(current.status)) return { action: current, alreadyFinal: true };
      }
      throw error;
    }
  }

  /** A device by id or computer DNS name, or null when not found (404). */
  async getMachine(idOrName: string, options: RequestOptions = {}): Promise<Machine | null> {
    try {
      const response = await this.call<Machine>(
        {
          family: "machines",
          method: "GET",
          idempotent: true,
          path: `/api/machines/${encodeURIComponent(idOrName)}`,
          operation: "getMachine",
          machineId: idOrName,
        },
        options.signal,
      );
      if (!response.body || typeof response.body.id !== "string") {
        throw this.invalid("getMachine", "a Machine object");
      }
      return response.body;
    } catch (error) {
      if (isDefenderError(error, "MDE_NOT_FOUND")) return null;
      throw error;
    }
  }

  /** Devices matching an OData `$filter`, e.g. `healthStatus eq 'Active'` or `machineTags/any(tag: tag eq 'IR')`. */
  async listMachines(filter?: string, options: ListOptions = {}): Promise<Machine[]> {
    const response = await this.call<ODataCollection<Machine>>(
      {
        family: "machines",
        method: "GET",
        idempotent: true,
        path: "/api/machines",
        operation: "listMachines",
        query: this.listQuery(filter, options),
      },
      options.signal,
    );
    return this.collection(response.body, "listMachines") as Machine[];
  }

  /**
   * The short-lived download link of a succeeded collection, or null while the action is not `Succeeded`
   * (404). The link is a bearer secret: it is registered for redaction; never log or store it in clear.
   * Runs in the `packageUri` budget (2/min, 120/h).
   */
  async getPackageUri(actionId: string, options: RequestOptions = {}): Promise<string | null> {
    try {
      const response = await this.call<{ value?: unknown }>(
        {
          family: "packageUri",
          method: "GET",
          idempotent: true,
          path: `/api/machineactions/${encodeURIComponent(actionId)}/GetPackageUri`,
          operation: "getPackageUri",
          actionId,
        },
        options.signal,
      );
      const value = response.body?.value;
      if (typeof value !== "string" || value === "")
        throw this.invalid("getPackageUri", '{"value": "<url>"}');
      // Microsoft's own example wraps the URL in literal quotes.
      const uri = value.replace(/^"+|"+$/g, "");
      registerSecret(uri);
      return uri;
    } catch (error) {
      if (isDefenderError(error, "MDE_NOT_FOUND")) return null;
      throw error;
    }
  }

  /** The newest Pending or InProgress collection on a device, if any. */
  async findRunningCollection(machineId: string, signal?: AbortSignal): Promise<MachineAction | undefined> {
    for (const status of ["Pending", "InProgress"]) {
      const filter =
        `machineId eq ${odataString(machineId)} and type eq ${odataString(COLLECT_INVESTIGATION_PACKAGE)}` +
        ` and status eq ${odataString(status)}`;
      const found = await this.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
      const newest = found.filter((a) => a.status === status).sort(newestFirst)[0];
      if (newest) return newest;
    }
    return undefined;
  }

  private async verifyCollection(
    machineId: string,
    sinceMs: number,
    isOurs: (action: MachineAction) => boolean,
    cause: DefenderError,
    signal: AbortSignal | undefined,
  ): Promise<MachineAction | undefined> {
    const filter =
      `machineId eq ${odataString(machineId)} and type eq ${odataString(COLLECT_INVESTIGATION_PACKAGE)}` +
      ` and creationDateTimeUtc ge ${odataDate(sinceMs)}`;
    try {
      const found = await this.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
      return found.filter(isOurs).sort(newestFirst)[0];
    } catch (error) {
      if (isDefenderError(error, "MDE_ABORTED")) throw error;
      throw new DefenderError(
        "MDE_OUTCOME_UNKNOWN",
        `The collect request for device '${machineId}' may have started a collection (${cause.code}), and looking it ` +
          `up failed (${asDefenderError(error).code}). Check the device's actions in the Defender portal before ` +
          "collecting again, or import the action by id.",
        { operation: "collect", cause: error },
      );
    }
  }

  private async conflict(
    machineId: string,
    running: MachineAction | undefined,
    options: CollectOptions,
    original?: DefenderError,
  ): Promise<CollectResult> {
    if (running && options.adoptRunning) return { action: running, adopted: true };
    const about = running
      ? ` The running collection is action ${running.id} (${running.status}, requested by ${running.requestor ?? "unknown"}` +
        `${running.requestorComment ? ` with comment ${JSON.stringify(running.requestorComment)}` : ""}).`
      : " It could not be looked up.";
    throw new DefenderError(
      "MDE_ACTIVE_REQUEST_EXISTS",
      `A collection is already running on device '${machineId}'.${about} Wait for it to finish, adopt it, or ` +
        "cancel it before collecting again.",
      {
        operation: "collect",
        ...(original?.status !== undefined ? { status: original.status } : { status: 201 }),
        ...(original?.apiCode ? { apiCode: original.apiCode } : {}),
        ...(original?.correlationId ? { correlationId: original.correlationId } : {}),
        ...(running ? { action: running } : {}),
        delivery: "answered",
      },
    );
  }

  private listQuery(
    filter: string | undefined,
    options: ListOptions,
  ): Record<string, string | number | undefined> {
    const top = Math.min(options.top ?? DEFAULT_LIST_TOP, MAX_LIST_TOP);
    return { $filter: filter, $top: top, $skip: options.skip };
  }

  private collection(body: ODataCollection<unknown> | undefined, operation: DefenderOperation): unknown[] {
    if (!body || !Array.isArray(body.value)) throw this.invalid(operation, '{"value": [...]}');
    return body.value;
  }

  private toAction(body: unknown, operation: DefenderOperation): MachineAction {
    const action = normalizeMachineAction(body);
    if (!action) throw this.invalid(operation, "a MachineAction object");
    return action;
  }

  private invalid(operation: DefenderOperation, expected: string): DefenderError {
    return new DefenderError(
      "MDE_INVALID_RESPONSE",
      `The Defender API answered ${operation} without ${expected}. Check that mde:apiEndpoint points at the Defender API.`,
      { operation },
    );
  }

  /**
   * One attempt in the family's budget; a retry keeps its place at the head of the queue. The token is
   * read when the call's turn comes, not before queueing: a call can wait behind the hour cap for longer
   * than a token lives. A token failure comes out as {@link TokenUnavailable}, so it is never mistaken
   * for a doubtful API outcome. `sent.token` records the token used, for a precise invalidation.
   */
  private send<T>(
    spec: CallSpec,
    retrying: boolean,
    signal: AbortSignal | undefined,
    sent: { token?: string } = {},
  ): Promise<JsonResponse<T>> {
    return this.limiter.schedule(
      spec.family,
      async () => {
        let token: string;
        try {
          token = await this.tokens.getToken(signal ? { signal } : {});
        } catch (error) {
          throw new TokenUnavailable(error);
        }
        sent.token = token;
        return this.http.requestJson<T>({
          method: spec.method,
          path: spec.path,
          token,
          operation: spec.operation,
          ...(spec.query ? { query: spec.query } : {}),
          ...(spec.body !== undefined ? { body: spec.body } : {}),
          ...(spec.machineId !== undefined ? { machineId: spec.machineId } : {}),
          ...(spec.actionId !== undefined ? { actionId: spec.actionId } : {}),
          ...(signal ? { signal } : {}),
        });
      },
      { front: retrying, ...(signal ? { signal } : {}) },
    );
  }

  /** An idempotent call with retries: backoff for transient failures, pause on 429, one token renewal on 401. */
  private async call<T>(spec: CallSpec, signal: AbortSignal | undefined): Promise<JsonResponse<T>> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const sent: { token?: string } = {};
      try {
        return await this.send<T>(spec, attempt > 1, signal, sent);
      } catch (e) {
        if (e instanceof TokenUnavailable) throw e.cause;
        const error = asDefenderError(e);
        if (error.code === "MDE_UNAUTHORIZED" && !refreshed && this.tokens.canRefresh) {
          refreshed = true;
          this.tokens.invalidate(sent.token);
          attempt--;
          continue;
        }
        const decision = decideRetry(
          { method: spec.idempotent ? "GET" : "POST", attempt, failure: error },
          this.retry,
        );
        if (!decision.retry || decision.verifyFirst) throw error;
        this.log?.(
          `${spec.operation}: ${error.code}${error.status ? ` ${error.status}` : ""}; retrying in ${decision.delayMs} ms`,
        );
        if (error.status === 429) this.limiter.pause(spec.family, decision.delayMs);
        else await sleep(decision.delayMs, signal);
      }
    }
  }
}

/** A token could not be obtained for a call: nothing was sent. Carries the token error as `cause`. */
class TokenUnavailable extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super("no token");
    this.cause = cause;
  }
}

// Module-level: one client per credential for the process (the limiter and tokens are shared anyway).
const clients = new Map<string, DefenderClient>();

/**
 * The process-wide client for `settings` (created on first use). Options apply only when it is created;
 * construct `DefenderClient` directly for a private one.
 */
export function getDefenderClient(settings: Settings, options: DefenderClientOptions = {}): DefenderClient {
  const key = `${credentialFingerprint(settings)}|x${settings.timeScale}`;
  let client = clients.get(key);
  if (!client) {
    client = new DefenderClient(settings, options);
    clients.set(key, client);
  }
  return client;
}

/** Forgets every shared client. For tests. */
export function resetDefenderClients(): void {
  clients.clear();
}
