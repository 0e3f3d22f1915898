/**
 * The Defender for Endpoint client: tokens, rate budgets, retries and the at-most-once poster behind one
 * object per (application, tenant, API host), so resources and functions only say what they want.
 *
 * Every call is a row of the operations table sent through the one retry loop, inside its family's budget.
 */
import type { TokenProvider } from "../auth/tokenProvider";
import { DefenderError, isDefenderError } from "../core/errors";
import { registerSecret } from "../core/redact";
import type { HttpClient } from "../http/httpClient";
import type { RateLimiter } from "../limits/rateLimiter";
import type { RetryOptions } from "../retry/retryStrategy";
import type { Settings } from "../settings/resolveSettings";
import { findRunningAction } from "./actionLookups";
import {
  type ActionOperation,
  type PostActionOptions,
  type PostActionResult,
  type PostContext,
  postActionOnce,
} from "./actionPoster";
import { ApiCaller } from "./apiCaller";
import type { ApiRequest } from "./apiRequest";
import { httpClientFor, rateLimiterFor, tokenProviderFor } from "./clientParts";
import { EarlierAttempts } from "./earlierAttempts";
import { OPERATIONS, type OperationName } from "./operations";
import { StatusReader } from "./statusReader";
import {
  isFinalStatus,
  type Machine,
  type MachineAction,
  normalizeMachineAction,
  type ODataCollection,
} from "./wireTypes";

export type { PostActionOptions, PostActionResult } from "./actionPoster";
/** Options of a collection (the poster's). */
export type CollectOptions = PostActionOptions;
/** Result of a collection (the poster's). */
export type CollectResult = PostActionResult;

/** Names of the operations-table rows that start a machine action. */
export type ActionOperationName = {
  [K in OperationName]: (typeof OPERATIONS)[K] extends { action: object } ? K : never;
}[OperationName];

/** Default `$top` of {@link DefenderClient.listMachineActions} and {@link DefenderClient.listMachines}. */
export const DEFAULT_LIST_TOP = 1000;
/** Largest `$top` the API accepts. */
export const MAX_LIST_TOP = 10_000;

/** Options of {@link DefenderClient}. */
export interface DefenderClientOptions {
  /** Receives redacted diagnostic lines (requests, retries). @default no logging */
  log?: (line: string) => void;
  /** Retry tuning; `timeScale` defaults to the settings' one. @default the defaults of `decideRetry` */
  retry?: RetryOptions;
  /** Rate limiter. @default the process-wide limiter of the settings' quota */
  rateLimiter?: RateLimiter;
  /** Token provider. @default the process-wide provider of the settings' credential */
  tokenProvider?: TokenProvider;
  /** HTTP client. @default a client on the shared dispatcher of the settings */
  httpClient?: HttpClient;
  /** Clock, epoch milliseconds. @default Date.now */
  now?: () => number;
}

/** Options common to every call. */
export interface RequestOptions {
  /** Aborts waiting, retrying and the request in flight. */
  signal?: AbortSignal;
}

/** Options of list calls. */
export interface ListOptions extends RequestOptions {
  /** `$top`: most items returned (at most 10000). @default DEFAULT_LIST_TOP (1000) */
  top?: number;
  /** `$skip`: items to skip, for paging. */
  skip?: number;
}

/** Result of {@link DefenderClient.cancelMachineAction}. */
export interface CancelResult {
  /** The action after the request. */
  action: MachineAction;
  /** True when the action was already final, so nothing was cancelled. */
  alreadyFinal: boolean;
}

/** Client of the Defender for Endpoint API for one settings. */
export class DefenderClient {
  private readonly tokens: TokenProvider;
  private readonly limiter: RateLimiter;
  private readonly http: HttpClient;
  private readonly caller: ApiCaller;
  private readonly retry: RetryOptions;
  private readonly now: () => number;
  private readonly log: ((line: string) => void) | undefined;
  /** Coalesced reads of machine actions, shared by every user of this client. */
  readonly statusReader: StatusReader;
  /** Actions already posted, by type, device and exact comment: what create checks before posting. */
  readonly earlierAttempts: EarlierAttempts;

  constructor(
    readonly settings: Settings,
    options: DefenderClientOptions = {},
  ) {
    this.log = options.log;
    const log = this.log ? { log: this.log } : {};
    this.tokens = options.tokenProvider ?? tokenProviderFor(settings, log);
    this.limiter = options.rateLimiter ?? rateLimiterFor(settings);
    this.http = options.httpClient ?? httpClientFor(settings, log);
    this.retry = { timeScale: settings.timeScale, ...options.retry };
    this.caller = new ApiCaller({
      tokens: this.tokens,
      limiter: this.limiter,
      http: this.http,
      retry: this.retry,
      log: this.log,
    });
    this.now = options.now ?? Date.now;
    this.statusReader = new StatusReader(this, { timeScale: settings.timeScale, ...log });
    this.earlierAttempts = new EarlierAttempts(this, { now: this.now });
  }

  /**
   * Starts the machine action of an operations-table row on a device, at most once (see `postActionOnce`):
   * runs in the row's budget (one in flight per family); after a doubtful outcome the action is looked up,
   * not re-posted.
   * @param body - Body fields besides `Comment`.
   */
  postMachineAction(
    name: ActionOperationName,
    machineId: string,
    comment: string,
    body: Record<string, unknown> = {},
    options: PostActionOptions = {},
  ): Promise<PostActionResult> {
    return postActionOnce(
      this.postContext(),
      OPERATIONS[name] as ActionOperation,
      machineId,
      comment,
      body,
      options,
    );
  }

  /** Starts an investigation-package collection on a device, at most once (see {@link postMachineAction}). */
  collectInvestigationPackage(
    machineId: string,
    comment: string,
    options: CollectOptions = {},
  ): Promise<CollectResult> {
    return this.postMachineAction("collect", machineId, comment, {}, options);
  }

  /** A MachineAction by id, or null when it does not exist (404). */
  async getMachineAction(id: string, options: RequestOptions = {}): Promise<MachineAction | null> {
    try {
      const response = await this.caller.call<unknown>(
        { operation: OPERATIONS.getAction, id, actionId: id },
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
    const response = await this.caller.call<ODataCollection<unknown>>(
      { operation: OPERATIONS.listActions, query: this.listQuery(filter, options) },
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
      const response = await this.caller.call<unknown>(
        { operation: OPERATIONS.cancel, id, body: { Comment: comment }, actionId: id },
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
      const response = await this.caller.call<Machine>(
        { operation: OPERATIONS.getMachine, id: idOrName, machineId: idOrName },
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
    const response = await this.caller.call<ODataCollection<Machine>>(
      { operation: OPERATIONS.listMachines, query: this.listQuery(filter, options) },
      options.signal,
    );
    return this.collection(response.body, "listMachines") as Machine[];
  }

  /**
   * The short-lived download link of a succeeded collection, or null while the action is not `Succeeded`
   * (404). The link is a bearer secret: it is registered for redaction; never log or store it in clear.
   * Runs in the `packageUri` budget (2/min, 120/h).
   */
  getPackageUri(actionId: string, options: RequestOptions = {}): Promise<string | null> {
    return this.secretLink({ operation: OPERATIONS.getPackageUri, id: actionId, actionId }, options);
  }

  /**
   * The short-lived link to the result of command `index` (from 0) of a live response action (for a
   * GetFile: the file), or null while that command has not completed (404: not run yet, failed, or its
   * result is gone). The link is a bearer secret, valid about 30 minutes: it is registered for redaction;
   * never log or store it in clear.
   */
  getLiveResponseResultLink(
    actionId: string,
    index: number,
    options: RequestOptions = {},
  ): Promise<string | null> {
    return this.secretLink(
      {
        operation: OPERATIONS.getLiveResponseLink,
        id: actionId,
        pathParams: { index: String(index) },
        actionId,
      },
      options,
    );
  }

  /** A `{"value": "<url>"}` link answer, registered as a secret; null on 404 (not ready). */
  private async secretLink(request: ApiRequest, options: RequestOptions): Promise<string | null> {
    try {
      const response = await this.caller.call<{ value?: unknown }>(request, options.signal);
      const value = response.body?.value;
      if (typeof value !== "string" || value === "")
        throw this.invalid(request.operation.name, '{"value": "<url>"}');
      // Microsoft's own example wraps the URL in literal quotes.
      const uri = value.replace(/^"+|"+$/g, "");
      registerSecret(uri);
      return uri;
    } catch (error) {
      if (isDefenderError(error, "MDE_NOT_FOUND")) return null;
      throw error;
    }
  }

  /** The newest Pending or InProgress action of `type` on a device, if any. */
  findRunningAction(
    type: string,
    machineId: string,
    signal?: AbortSignal,
  ): Promise<MachineAction | undefined> {
    return findRunningAction(this, type, machineId, signal);
  }

  private postContext(): PostContext {
    return {
      send: (request, retrying, signal, sent) => this.caller.send(request, retrying, signal, sent),
      listMachineActions: (filter, o) => this.listMachineActions(filter, o),
      earlier: this.earlierAttempts,
      tokens: this.tokens,
      limiter: this.limiter,
      retry: this.retry,
      now: this.now,
      ...(this.log ? { log: this.log } : {}),
    };
  }

  private listQuery(
    filter: string | undefined,
    options: ListOptions,
  ): Record<string, string | number | undefined> {
    const top = Math.min(options.top ?? DEFAULT_LIST_TOP, MAX_LIST_TOP);
    return { $filter: filter, $top: top, $skip: options.skip };
  }

  private collection(body: ODataCollection<unknown> | undefined, operation: string): unknown[] {
    if (!body || !Array.isArray(body.value)) throw this.invalid(operation, '{"value": [...]}');
    return body.value;
  }

  private toAction(body: unknown, operation: string): MachineAction {
    const action = normalizeMachineAction(body);
    if (!action) throw this.invalid(operation, "a MachineAction object");
    return action;
  }

  private invalid(operation: string, expected: string): DefenderError {
    return new DefenderError(
      "MDE_INVALID_RESPONSE",
      `The Defender API answered ${operation} without ${expected}. Check that mde:apiEndpoint points at the Defender API.`,
      { operation },
    );
  }
}
