/**
 * One API call as the client sends it: in its family's rate budget, with a token read when its turn
 * comes, through the one retry loop (backoff for transient failures, a family-wide pause and a cut rate on 429, one token
 * renewal on 401). The POSTs that start machine actions use `send` alone: their policy is their own (actionPoster).
 */
import type { TokenProvider } from "../auth/tokenProvider";
import { assertEngineAlive } from "../core/engineLiveness";
import { toDefenderError } from "../core/errors";
import { sleep } from "../core/sleep";
import type { HttpClient, JsonResponse } from "../http/httpClient";
import type { RateLimiter } from "../limits/rateLimiter";
import { withRetries } from "../retry/retryLoop";
import type { RetryOptions } from "../retry/retryStrategy";
import { type ApiRequest, TokenUnavailable } from "./apiRequest";
import { operationPath } from "./operations";

/** What an {@link ApiCaller} sends with. */
export interface ApiCallerParts {
  tokens: TokenProvider;
  limiter: RateLimiter;
  http: HttpClient;
  retry: RetryOptions;
  log?: ((line: string) => void) | undefined;
}

/** Sends API requests for one client. */
export class ApiCaller {
  constructor(private readonly parts: ApiCallerParts) {}

  /**
   * One attempt in the family's budget; a retry keeps its place at the head of the queue. The token is
   * read when the call's turn comes, not before queueing: a call can wait behind the hour cap for longer
   * than a token lives. A token failure comes out as {@link TokenUnavailable}, so it is never mistaken
   * for a doubtful API outcome. `sent.token` records the token used, for a precise invalidation.
   */
  send<T>(
    request: ApiRequest,
    retrying: boolean,
    signal: AbortSignal | undefined,
    sent: { token?: string } = {},
  ): Promise<JsonResponse<T>> {
    const { operation } = request;
    return this.parts.limiter.schedule(
      operation.family,
      async () => {
        let token: string;
        try {
          token = await this.parts.tokens.getToken(signal ? { signal } : {});
        } catch (error) {
          throw new TokenUnavailable(error);
        }
        sent.token = token;
        // A request with an effect leaves only while the engine that will record it is alive: checked after
        // the rate limiter and the token, and again as its bytes are written (no await in between).
        const engineCheck =
          operation.method === "POST"
            ? () =>
                assertEngineAlive(`${operation.name}${request.machineId ? ` on ${request.machineId}` : ""}`)
            : undefined;
        engineCheck?.();
        return this.parts.http.requestJson<T>({
          method: operation.method,
          path: operationPath(operation, request.id, request.pathParams),
          token,
          operation,
          ...(request.query ? { query: request.query } : {}),
          ...(request.body !== undefined ? { body: request.body } : {}),
          ...(request.machineId !== undefined ? { machineId: request.machineId } : {}),
          ...(request.actionId !== undefined ? { actionId: request.actionId } : {}),
          ...(signal ? { signal } : {}),
          ...(engineCheck ? { beforeWrite: engineCheck } : {}),
        });
      },
      { front: retrying, ...(signal ? { signal } : {}) },
    );
  }

  /** A repeatable call with retries: backoff for transient failures, pause on 429, one token renewal on 401. */
  call<T>(request: ApiRequest, signal: AbortSignal | undefined): Promise<JsonResponse<T>> {
    let refreshed = false;
    let sent: { token?: string } = {};
    const { operation } = request;
    return withRetries(
      (attempt) => {
        sent = {};
        return this.send<T>(request, attempt > 1, signal, sent);
      },
      {
        label: operation.name,
        method: operation.idempotent ? "GET" : "POST",
        retry: this.parts.retry,
        ...(signal ? { signal } : {}),
        ...(this.parts.log ? { log: this.parts.log } : {}),
        toError: (e) => {
          if (e instanceof TokenUnavailable) throw e.cause;
          return toDefenderError(e);
        },
        inspect: (error) => {
          if (error.code === "MDE_UNAUTHORIZED" && !refreshed && this.parts.tokens.canRefresh) {
            refreshed = true;
            this.parts.tokens.invalidate(sent.token);
            return "again";
          }
          return undefined;
        },
        wait: async (delayMs, error) => {
          // The whole family waits (with jitter, its rate cut): the quota is the application's.
          if (error.status === 429) this.parts.limiter.throttled(operation.family, delayMs);
          else await sleep(delayMs, signal);
        },
      },
    );
  }
}
