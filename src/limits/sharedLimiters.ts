/**
 * The process-wide rate limiters: one per (application, tenant, API host), shared by every resource and
 * function of the provider process, because that is what the API's quota counts.
 */
import {
  ENDPOINT_FAMILIES,
  type EndpointFamily,
  type FamilyLimits,
  LIVE_RESPONSE_LIMIT_PER_MINUTE,
  PACKAGE_URI_LIMIT_PER_HOUR,
  PACKAGE_URI_LIMIT_PER_MINUTE,
} from "./familyBudget";
import { RateLimiter } from "./rateLimiter";

/** The user's budget for every family (`mde:rateLimitPerMinute`, `mde:rateLimitPerHour`). */
export interface BudgetOptions {
  /** Calls per minute per family. */
  perMinute: number;
  /** Calls per hour per family. */
  perHour: number;
}

/** Default limits for settings: user limits for every family, the package link capped at its documented 2/120. */
export function limitsFor(budget: BudgetOptions): Record<EndpointFamily, FamilyLimits> {
  const perMinute = budget.perMinute;
  const perHour = budget.perHour;
  return {
    // One collection in flight: concurrent POSTs for the same app gain nothing and make outcomes harder to verify.
    // Paced: several runners of one app started together share the minute from their first call instead
    // of one of them spending it in a burst.
    collect: { perMinute, perHour, maxInFlight: 1, paced: true },
    // Isolate and release: one in flight, so two posts for one device can never overtake each other.
    isolate: { perMinute, perHour, maxInFlight: 1, paced: true },
    liveResponse: {
      perMinute: Math.min(perMinute, LIVE_RESPONSE_LIMIT_PER_MINUTE),
      perHour: Math.min(perHour, LIVE_RESPONSE_LIMIT_PER_MINUTE * 60),
      maxInFlight: 1,
      paced: true,
    },
    actions: { perMinute, perHour },
    machines: { perMinute, perHour },
    packageUri: {
      perMinute: Math.min(perMinute, PACKAGE_URI_LIMIT_PER_MINUTE),
      perHour: Math.min(perHour, PACKAGE_URI_LIMIT_PER_HOUR),
    },
  };
}

// Module-level: every resource in the provider process shares the limiter of its (app, tenant, host).
const limiters = new Map<string, RateLimiter>();

/** Options of {@link getRateLimiter}. */
export interface SharedLimiterOptions extends BudgetOptions {
  /** What shares the API's quota: application, tenant and API host (see `settingsFingerprint`). */
  quotaKey: string;
  /** Divides every window (emulator exercises). */
  timeScale: number;
}

/**
 * The process-wide limiter of a quota (application, tenant, API host). Created on first use;
 * later settings with lower limits lower them for everyone sharing it.
 */
export function getRateLimiter(options: SharedLimiterOptions): RateLimiter {
  const key = `${options.quotaKey}|x${options.timeScale}`;
  const limits = limitsFor(options);
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new RateLimiter({ limits, timeScale: options.timeScale });
    limiters.set(key, limiter);
  } else {
    for (const family of ENDPOINT_FAMILIES) limiter.lowerLimits(family, limits[family]);
  }
  return limiter;
}

/** Forgets every shared limiter. For tests. */
export function resetRateLimiters(): void {
  limiters.clear();
}
