/**
 * Per-application rate limits of the emulated API: each (tenant, app, route) has its own
 * sliding-window log checked against every documented window. Calls refused with 429 are not
 * logged, so they do not extend the wait; resubmitting before `Retry-After` still fails
 * because the window has not moved on.
 */
import type { Clock } from "./clock";
import type { RouteName } from "./types";

/** One documented quota: at most `limit` calls in any `windowSeconds` (emulated). */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

const STANDARD: readonly RateLimit[] = [
  { limit: 100, windowSeconds: 60 },
  { limit: 1500, windowSeconds: 3600 },
];

/** Quotas per route, as documented for each API. Routes absent here are not limited. */
export const ROUTE_LIMITS: Partial<Record<RouteName, readonly RateLimit[]>> = {
  getMachine: STANDARD,
  listMachines: STANDARD,
  findMachinesByTag: STANDARD,
  collect: STANDARD,
  getAction: STANDARD,
  listActions: STANDARD,
  cancel: STANDARD,
  getPackageUri: [
    { limit: 2, windowSeconds: 60 },
    { limit: 120, windowSeconds: 3600 },
  ],
  isolate: STANDARD,
  unisolate: STANDARD,
  // The page documents only the minute window.
  liveResponse: [{ limit: 10, windowSeconds: 60 }],
  liveResponseLink: STANDARD,
};

/** Who is calling what. */
export interface QuotaKey {
  tenantId: string;
  clientId: string;
  route: RouteName;
}

/** Result of {@link RateLimiter.take}. */
export type QuotaDecision = { allowed: true } | { allowed: false; retryAfterMs: number; limit: string };

/** Sliding-window-log limiter. */
export class RateLimiter {
  private readonly logs = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly enabled = true,
  ) {}

  /** Admits one call (and logs it) or says how long to wait, in real milliseconds. */
  take(key: QuotaKey): QuotaDecision {
    const limits = ROUTE_LIMITS[key.route];
    if (!this.enabled || !limits) return { allowed: true };
    const now = this.clock.nowMs();
    const log = this.prunedLog(key, limits, now);
    let retryAfterMs = 0;
    let violated: RateLimit | undefined;
    for (const rule of limits) {
      const windowMs = this.clock.realMs(rule.windowSeconds);
      const inWindow = log.filter((t) => t > now - windowMs);
      if (inWindow.length >= rule.limit) {
        // The call fits once enough of the oldest calls in the window have left it.
        const oldestToExpire = inWindow[inWindow.length - rule.limit] ?? now;
        const wait = oldestToExpire + windowMs - now;
        if (wait > retryAfterMs) {
          retryAfterMs = wait;
          violated = rule;
        }
      }
    }
    if (violated) {
      return {
        allowed: false,
        retryAfterMs,
        limit: `${violated.limit} calls per ${violated.windowSeconds} seconds`,
      };
    }
    log.push(now);
    return { allowed: true };
  }

  /** Logs `count` calls made by someone else with the same app ("foreign traffic"). */
  consume(key: QuotaKey, count: number): void {
    const limits = ROUTE_LIMITS[key.route] ?? [];
    const now = this.clock.nowMs();
    const log = this.prunedLog(key, limits, now);
    for (let i = 0; i < count; i++) log.push(now);
  }

  /** Forgets every logged call. */
  reset(): void {
    this.logs.clear();
  }

  private prunedLog(key: QuotaKey, limits: readonly RateLimit[], now: number): number[] {
    const id = `${key.tenantId.toLowerCase()}/${key.clientId.toLowerCase()}/${key.route}`;
    const longestMs = Math.max(0, ...limits.map((l) => this.clock.realMs(l.windowSeconds)));
    const log = (this.logs.get(id) ?? []).filter((t) => t > now - longestMs);
    this.logs.set(id, log);
    return log;
  }
}
