/**
 * The at-most-once poster of machine actions, driven by a row of the operations table (its `action`: the
 * type it creates and what it is called). A POST that starts an action (collect, isolate, release, live
 * response) is not idempotent: it is repeated only after a certain refusal (429, 503, connection refused);
 * after a doubtful outcome (timeout or reset after sending, other 5xx) the device's actions of that type
 * are looked up first, and an action created by the lost request is returned instead of posting again.
 */

import type { TokenProvider } from "../auth/tokenProvider";
import { DefenderError, isDefenderError, toDefenderError } from "../core/errors";
import { sleep } from "../core/sleep";
import { isTransientCode } from "../core/transientError";
import type { JsonResponse } from "../http/httpClient";
import type { RateLimiter } from "../limits/rateLimiter";
import { StopRetrying, withRetries } from "../retry/retryLoop";
import { DEFAULT_THROTTLED_WAIT_MS, type RetryOptions } from "../retry/retryStrategy";
import { conflict, findRunningAction, verifyPosted } from "./actionLookups";
import { type ApiRequest, TokenUnavailable } from "./apiRequest";
import type { EarlierAttempts } from "./earlierAttempts";
import type { ActionPost, Operation } from "./operations";
import { isValidMachineId, type MachineAction, normalizeMachineAction } from "./wireTypes";

/**
 * How far before an attempt's start an action may claim to have been created and still count as the
 * result of that attempt, in milliseconds: covers clock skew between us and the service.
 */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;

/** Options of a post. */
export interface PostActionOptions {
  /** Aborts waiting, retrying and the request in flight. */
  signal?: AbortSignal;
  /**
   * When an action of the same type already runs on the device (400 `ActiveRequestAlreadyExists`, or 201
   * answering with the existing action), return the running action with `adopted: true` instead of
   * throwing `MDE_ACTIVE_REQUEST_EXISTS`.
   * @default false
   */
  adoptRunning?: boolean;
  /**
   * Before posting, look for an action of the same type on the device sent with exactly this comment (an
   * earlier, interrupted attempt of the same declared resource: the comment carries its marker) and return
   * it (`recovered: true`) instead of posting.
   * @default false
   */
  findEarlier?: boolean;
  /**
   * Epoch milliseconds after which a post the quota keeps refusing (429) fails instead of waiting on. A
   * 429 is a certain refusal (nothing was created), so it is waited out, whatever its `Retry-After`, until
   * then.
   * @default DEFAULT_THROTTLED_WAIT_MS (70 minutes, divided by the time scale) after its first refusal
   */
  throttledDeadlineMs?: number;
  /** Receives one line when this post starts waiting a minute or more for the quota. @default none */
  notice?: (line: string) => void;
}

/** Result of a post. */
export interface PostActionResult {
  /** The MachineAction. */
  action: MachineAction;
  /** True when `action` was already running (only with `adoptRunning`). */
  adopted: boolean;
  /** True when the action was found by a look-up after a doubtful outcome (the response was lost). */
  recovered?: boolean;
  /**
   * True when the action was found by its marker before posting and this process did not post it: an
   * earlier deployment did (interrupted, or a resource let go and declared again unchanged).
   */
  takenOver?: boolean;
}

/** What the policy needs of the client. */
export interface PostContext {
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
  /** The process-wide index of actions by type, device and exact comment. */
  earlier: EarlierAttempts;
  tokens: TokenProvider;
  limiter: RateLimiter;
  retry: RetryOptions;
  now: () => number;
  log?: (line: string) => void;
}

/** A machine-action row of the operations table: one with `action`. */
export type ActionOperation = Operation & { action: ActionPost };

/**
 * Starts the machine action of `operation` on a device, at most once.
 * @param body - Body fields besides `Comment` (e.g. `IsolationType`, `Commands`).
 * @throws DefenderError `MDE_ACTIVE_REQUEST_EXISTS` with `action` set to the running action of that type
 *   when it could be found (unless `adoptRunning`); `MDE_NOT_FOUND` for an unknown device;
 *   `MDE_OS_NOT_SUPPORTED`; `MDE_FORBIDDEN`; `MDE_OUTCOME_UNKNOWN` when a doubtful outcome could not be
 *   checked; `MDE_BAD_REQUEST` for an invalid id or empty comment (nothing sent).
 */
export async function postActionOnce(
  ctx: PostContext,
  operation: ActionOperation,
  machineId: string,
  comment: string,
  body: Record<string, unknown> = {},
  options: PostActionOptions = {},
): Promise<PostActionResult> {
  const { signal } = options;
  const { type, noun } = operation.action;
  if (!isValidMachineId(machineId)) {
    throw new DefenderError(
      "MDE_BAD_REQUEST",
      `Invalid device id ${JSON.stringify(machineId)}: expected 32 to 40 hexadecimal characters (the device id ` +
        "shown in the Defender portal URL or returned by the Machines API).",
      { operation: operation.name },
    );
  }
  if (comment.trim() === "") {
    throw new DefenderError(
      "MDE_BAD_REQUEST",
      `The ${noun} comment must not be empty: the API requires it.`,
      {
        operation: operation.name,
      },
    );
  }
  const since = ctx.now() - CLOCK_SKEW_MARGIN_MS;
  const isOurs = (action: MachineAction) =>
    action.type === type &&
    action.requestorComment === comment &&
    (Number.isNaN(Date.parse(action.creationDateTimeUtc)) || Date.parse(action.creationDateTimeUtc) >= since);
  const request: ApiRequest = { operation, id: machineId, body: { ...body, Comment: comment }, machineId };
  const verify = async (cause: DefenderError): Promise<PostActionResult | undefined> => {
    const found = await verifyPosted(ctx, operation, machineId, since, isOurs, cause, signal);
    return found ? { action: found, adopted: false, recovered: true } : undefined;
  };

  if (options.findEarlier) {
    const earlier = await findEarlier(ctx, operation, machineId, comment);
    if (earlier) return { action: earlier.action, adopted: false, recovered: true, takenOver: !earlier.own };
  }
  const result = await postOnce(ctx, operation, machineId, options, request, isOurs, verify);
  ctx.earlier.remember(result.action);
  return result;
}

/** An earlier attempt of this very action, or undefined; nothing is posted when this cannot be told. */
async function findEarlier(
  ctx: PostContext,
  operation: ActionOperation,
  machineId: string,
  comment: string,
): Promise<{ action: MachineAction; own: boolean } | undefined> {
  try {
    const found = await ctx.earlier.lookUp(operation.action.type, machineId, comment);
    if (found)
      ctx.log?.(
        `${operation.name} on ${machineId}: an earlier attempt created action ${found.action.id}; taking it over`,
      );
    return found;
  } catch (error) {
    if (isDefenderError(error, "MDE_ABORTED")) throw error;
    const cause = toDefenderError(error);
    // A refusal (401, 403, ...), a sign-in or a configuration failure says what to fix by itself:
    // running again unchanged would fail the same way. Nothing was posted either way.
    if (
      !isTransientCode(cause.code) ||
      (cause.status !== undefined && cause.status >= 400 && cause.status < 500)
    )
      throw cause;
    throw new DefenderError(
      cause.code,
      `Nothing was posted to device '${machineId}': looking for an earlier attempt of this ${operation.action.noun} failed ` +
        `(${cause.message}). Run \`pulumi up\` again; it looks again before posting, so nothing is started twice.`,
      {
        operation: "listActions",
        ...(cause.status !== undefined ? { status: cause.status } : {}),
        cause: error,
      },
    );
  }
}

async function postOnce(
  ctx: PostContext,
  operation: ActionOperation,
  machineId: string,
  options: PostActionOptions,
  request: ApiRequest,
  isOurs: (action: MachineAction) => boolean,
  verify: (cause: DefenderError) => Promise<PostActionResult | undefined>,
): Promise<PostActionResult> {
  const { signal } = options;
  let refreshed = false;
  let doubtful = false;
  let sent: { token?: string } = {};
  // Read by the loop before each decision: the deadline is set at the first 429.
  const retry: RetryOptions = { ...ctx.retry };
  const scale = ctx.retry.timeScale ?? 1;
  let firstRefusalMs: number | undefined;
  let noticed = false;
  return withRetries<PostActionResult>(
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
          const found = await verify(toDefenderError(e.cause));
          if (found) return found;
        }
        throw new StopRetrying(e.cause);
      }
      const action = normalizeMachineAction(response.body);
      if (!action) {
        throw new StopRetrying(
          new DefenderError(
            "MDE_INVALID_RESPONSE",
            `The Defender API answered ${operation.name} without a MachineAction object. Check that mde:apiEndpoint points at the Defender API.`,
            { operation: operation.name },
          ),
        );
      }
      if (isOurs(action)) return { action, adopted: false };
      // The "201 with the existing action" variant: someone else's action of this type is running.
      ctx.log?.(`${operation.name} on ${machineId}: the API answered with the running action ${action.id}`);
      return conflict(operation, machineId, action, options);
    },
    {
      label: `${operation.name} on ${machineId}`,
      method: "POST",
      retry,
      now: ctx.now,
      ...(signal ? { signal } : {}),
      ...(ctx.log ? { log: ctx.log } : {}),
      toError: toDefenderError,
      inspect: async (error) => {
        if (error.status === 429 && firstRefusalMs === undefined) {
          firstRefusalMs = ctx.now();
          retry.throttledDeadlineMs = Math.min(
            options.throttledDeadlineMs ?? Number.POSITIVE_INFINITY,
            firstRefusalMs + DEFAULT_THROTTLED_WAIT_MS / scale,
          );
        }
        if (error.code === "MDE_UNAUTHORIZED" && !refreshed && ctx.tokens.canRefresh) {
          // A 401 is a refusal: nothing was created. Renew the token once.
          refreshed = true;
          ctx.tokens.invalidate(sent.token);
          return "again";
        }
        if (error.code === "MDE_ACTIVE_REQUEST_EXISTS") {
          const running = await findRunningAction(ctx, operation.action.type, machineId, signal).catch(
            () => undefined,
          );
          // After a doubtful attempt, the "running" action may be the one we started.
          if (running && doubtful && isOurs(running))
            return { value: { action: running, adopted: false, recovered: true } };
          return { value: conflict(operation, machineId, running, options, error) };
        }
        if (
          error.delivery === "doubtful" ||
          (error.status !== undefined && error.status >= 500 && error.status !== 503)
        )
          doubtful = true;
        return undefined;
      },
      wait: async (delayMs, error) => {
        if (error.status !== 429) return sleep(delayMs, signal);
        // The family waits (this post at its head): the quota is the application's, not this post's.
        const blockedMs = ctx.limiter.throttled(operation.family, delayMs);
        if (blockedMs * scale >= 60_000 && !noticed) {
          noticed = true;
          const line =
            `${operation.name} on ${machineId}: the API's quota for this application is spent (HTTP 429); ` +
            `waiting ${minutes(blockedMs * scale)} for it, nothing was created yet`;
          ctx.log?.(line);
          options.notice?.(line);
        }
      },
      verify,
      giveUp: async (error) => {
        if (doubtful) {
          const found = await verify(error);
          if (found) return found;
        }
        if (error.status === 429 && firstRefusalMs !== undefined)
          throw quotaDeadline(error, operation, machineId, (ctx.now() - firstRefusalMs) * scale);
        throw error;
      },
    },
  );
}

function minutes(ms: number): string {
  return ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

/** The error of a post the quota still refused at its deadline: certainly nothing was created. */
function quotaDeadline(
  error: DefenderError,
  operation: ActionOperation,
  machineId: string,
  waitedMs: number,
): DefenderError {
  const asked =
    error.retryAfterMs !== undefined ? `; it last asked to wait ${minutes(error.retryAfterMs)}` : "";
  return new DefenderError(
    "MDE_THROTTLED",
    `Nothing was posted to device '${machineId}': the API's quota for this application refused ${operation.name} ` +
      `for ${minutes(waitedMs)} (HTTP 429${asked}), and the wait would outlast its deadline. Other callers of ` +
      "the same application spend the same quota (100 per minute, 1500 per hour): run `pulumi up` again " +
      "later, or give runners that share the application a static share (mde:rateLimitPerMinute).",
    {
      operation: operation.name,
      status: 429,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      cause: error,
    },
  );
}
