/**
 * The collect-once policy. `POST collectInvestigationPackage` is not idempotent: it is repeated only after
 * a certain refusal (429, 503, connection refused); after a doubtful outcome (timeout or reset after
 * sending, other 5xx) the device's actions are looked up first, and an action created by the lost request
 * is returned instead of posting again.
 */

import type { TokenProvider } from "../auth/tokenProvider";
import { DefenderError, isDefenderError } from "../core/errors";
import { sleep } from "../core/sleep";
import type { JsonResponse } from "../http/httpClient";
import type { RateLimiter } from "../limits/rateLimiter";
import { StopRetrying, withRetries } from "../retry/retryLoop";
import type { RetryOptions } from "../retry/retryStrategy";
import { type ApiRequest, TokenUnavailable } from "./apiRequest";
import { odataDate, odataString } from "./odata";
import { OPERATIONS } from "./operations";
import {
  COLLECT_INVESTIGATION_PACKAGE,
  isValidMachineId,
  type MachineAction,
  normalizeMachineAction,
} from "./wireTypes";

/**
 * How far before an attempt's start an action may claim to have been created and still count as the
 * result of that attempt, in milliseconds: covers clock skew between us and the service.
 */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;
/** `$top` of the look-ups that find a collection after a doubtful outcome or a conflict. */
export const LOOKUP_TOP = 100;

/** Options of a collection. */
export interface CollectOptions {
  /** Aborts waiting, retrying and the request in flight. */
  signal?: AbortSignal;
  /**
   * When the device is already collecting (400 `ActiveRequestAlreadyExists`, or 201 answering with the
   * existing action), return the running action with `adopted: true` instead of throwing
   * `MDE_ACTIVE_REQUEST_EXISTS`.
   * @default false
   */
  adoptRunning?: boolean;
}

/** Result of a collection. */
export interface CollectResult {
  /** The collection's MachineAction. */
  action: MachineAction;
  /** True when `action` is a collection that was already running (only with `adoptRunning`). */
  adopted: boolean;
  /** True when the action was found by a look-up after a doubtful outcome (the response was lost). */
  recovered?: boolean;
}

/** What the policy needs of the client. */
export interface CollectContext {
  /** Sends one attempt in the operation's budget; a token failure comes out as {@link TokenUnavailable}. */
  send(
    request: ApiRequest,
    retrying: boolean,
    signal: AbortSignal | undefined,
    sent: { token?: string },
  ): Promise<JsonResponse<unknown>>;
  /** Lists machine actions (with the read retry policy). */
  listMachineActions(
    filter: string,
    options: { top: number; signal?: AbortSignal },
  ): Promise<MachineAction[]>;
  tokens: TokenProvider;
  limiter: RateLimiter;
  retry: RetryOptions;
  now: () => number;
  log?: (line: string) => void;
}

function newestFirst(a: MachineAction, b: MachineAction): number {
  return (Date.parse(b.creationDateTimeUtc) || 0) - (Date.parse(a.creationDateTimeUtc) || 0);
}

function asDefenderError(error: unknown): DefenderError {
  if (error instanceof DefenderError) return error;
  return new DefenderError("MDE_NETWORK_ERROR", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/** The newest Pending or InProgress collection on a device, if any. */
export async function findRunningCollection(
  ctx: Pick<CollectContext, "listMachineActions">,
  machineId: string,
  signal?: AbortSignal,
): Promise<MachineAction | undefined> {
  for (const status of ["Pending", "InProgress"]) {
    const filter =
      `machineId eq ${odataString(machineId)} and type eq ${odataString(COLLECT_INVESTIGATION_PACKAGE)}` +
      ` and status eq ${odataString(status)}`;
    const found = await ctx.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
    const newest = found.filter((a) => a.status === status).sort(newestFirst)[0];
    if (newest) return newest;
  }
  return undefined;
}

/**
 * Starts an investigation-package collection on a device, at most once.
 * @throws DefenderError `MDE_ACTIVE_REQUEST_EXISTS` with `action` set to the running collection when it
 *   could be found (unless `adoptRunning`); `MDE_NOT_FOUND` for an unknown device; `MDE_OS_NOT_SUPPORTED`;
 *   `MDE_FORBIDDEN`; `MDE_OUTCOME_UNKNOWN` when a doubtful outcome could not be checked; `MDE_BAD_REQUEST`
 *   for an invalid id or empty comment (nothing sent).
 */
export async function collectOnce(
  ctx: CollectContext,
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
  const since = ctx.now() - CLOCK_SKEW_MARGIN_MS;
  const isOurs = (action: MachineAction) =>
    action.requestorComment === comment &&
    (Number.isNaN(Date.parse(action.creationDateTimeUtc)) || Date.parse(action.creationDateTimeUtc) >= since);
  const request: ApiRequest = {
    operation: OPERATIONS.collect,
    id: machineId,
    body: { Comment: comment },
    machineId,
  };
  const verify = async (cause: DefenderError): Promise<CollectResult | undefined> => {
    const found = await verifyCollection(ctx, machineId, since, isOurs, cause, signal);
    return found ? { action: found, adopted: false, recovered: true } : undefined;
  };

  let refreshed = false;
  let doubtful = false;
  let sent: { token?: string } = {};
  return withRetries<CollectResult>(
    async (attempt) => {
      sent = {};
      let response: JsonResponse<unknown>;
      try {
        response = await ctx.send(request, attempt > 1, signal, sent);
      } catch (e) {
        if (!(e instanceof TokenUnavailable)) throw e;
        // No POST was sent for this attempt: report the token failure itself, unless an earlier attempt was
        // doubtful (then its outcome still has to be established, which needs a token too).
        if (doubtful) {
          const found = await verify(asDefenderError(e.cause));
          if (found) return found;
        }
        throw new StopRetrying(e.cause);
      }
      const action = normalizeMachineAction(response.body);
      if (!action) {
        throw new StopRetrying(
          new DefenderError(
            "MDE_INVALID_RESPONSE",
            "The Defender API answered collect without a MachineAction object. Check that mde:apiEndpoint points at the Defender API.",
            { operation: "collect" },
          ),
        );
      }
      if (isOurs(action)) return { action, adopted: false };
      // The "201 with the existing action" variant: someone else's collection is running.
      ctx.log?.(`collect on ${machineId}: the API answered with the running action ${action.id}`);
      return conflict(machineId, action, options);
    },
    {
      label: `collect on ${machineId}`,
      method: "POST",
      retry: ctx.retry,
      ...(signal ? { signal } : {}),
      ...(ctx.log ? { log: ctx.log } : {}),
      toError: asDefenderError,
      inspect: async (error) => {
        if (error.code === "MDE_UNAUTHORIZED" && !refreshed && ctx.tokens.canRefresh) {
          // A 401 is a refusal: nothing was created. Renew the token once.
          refreshed = true;
          ctx.tokens.invalidate(sent.token);
          return "again";
        }
        if (error.code === "MDE_ACTIVE_REQUEST_EXISTS") {
          const running = await findRunningCollection(ctx, machineId, signal).catch(() => undefined);
          // After a doubtful attempt, the "running" collection may be the one we started.
          if (running && doubtful && isOurs(running))
            return { value: { action: running, adopted: false, recovered: true } };
          return { value: conflict(machineId, running, options, error) };
        }
        if (
          error.delivery === "doubtful" ||
          (error.status !== undefined && error.status >= 500 && error.status !== 503)
        )
          doubtful = true;
        return undefined;
      },
      wait: async (delayMs, error) => {
        if (error.status === 429) ctx.limiter.pause("collect", delayMs);
        else await sleep(delayMs, signal);
      },
      verify,
      giveUp: async (error) => {
        if (doubtful) {
          const found = await verify(error);
          if (found) return found;
        }
        throw error;
      },
    },
  );
}

async function verifyCollection(
  ctx: CollectContext,
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
    const found = await ctx.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
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

function conflict(
  machineId: string,
  running: MachineAction | undefined,
  options: CollectOptions,
  original?: DefenderError,
): CollectResult {
  if (running && options.adoptRunning) return { action: running, adopted: true };
  const about = running
    ? ` The running collection is action ${running.id} (${running.status}, requested by ${running.requestor ?? "unknown"}` +
      `${running.requestorComment ? ` with comment ${JSON.stringify(running.requestorComment)}` : ""}).`
    : " It could not be looked up.";
  throw new StopRetrying(
    new DefenderError(
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
    ),
  );
}
