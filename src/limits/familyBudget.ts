/**
 * Sliding-window budget of one endpoint family: pure arithmetic over call start times (time is passed
 * in), so it is tested with plain numbers. The {@link RateLimiter} does the waiting.
 *
 * Within the configured limits, the per-minute rate adapts to 429s ({@link AdaptiveRate}): a quota shared
 * with other runners of the same application is kept by slowing down, not by failing. Paced families, and
 * any family after a 429, spread their calls evenly over the minute instead of spending the minute's
 * budget in one burst, so runners that start together share the quota from their first call.
 */
import { AdaptiveRate } from "./adaptiveRate";

/** Endpoint families with separate budgets. */
export type EndpointFamily = "collect" | "isolate" | "liveResponse" | "actions" | "machines" | "packageUri";

/** All endpoint families. */
export const ENDPOINT_FAMILIES: readonly EndpointFamily[] = [
  "collect",
  "isolate",
  "liveResponse",
  "actions",
  "machines",
  "packageUri",
];

/** Length of the short window, in (unscaled) milliseconds. */
export const MINUTE_MS = 60_000;
/** Length of the long window, in (unscaled) milliseconds. */
export const HOUR_MS = 3_600_000;
/** Documented package-link limit per minute. */
export const PACKAGE_URI_LIMIT_PER_MINUTE = 2;
/** Documented package-link limit per hour. */
export const PACKAGE_URI_LIMIT_PER_HOUR = 120;
/** Documented live-response limit per minute. */
export const LIVE_RESPONSE_LIMIT_PER_MINUTE = 10;

/** Limits of one family. */
export interface FamilyLimits {
  /** Calls allowed to start in any sliding minute. */
  perMinute: number;
  /** Calls allowed to start in any sliding hour. */
  perHour: number;
  /** Calls allowed in flight at once; undefined = unlimited. */
  maxInFlight?: number;
  /**
   * Spread starts evenly over the minute (a small burst allowed) even before any 429: for the families
   * whose calls start actions, where runners started together would otherwise burst into each other.
   * @default false (paced only while the rate is cut after a 429)
   */
  paced?: boolean;
}

/**
 * Sliding-window budget of one family: pure arithmetic over call start times. Times are epoch
 * milliseconds passed by the caller, so tests drive it with plain numbers.
 */
export class FamilyBudget {
  private limits: FamilyLimits;
  private readonly minuteMs: number;
  private readonly hourMs: number;
  /** Start times within the last hour window, ascending. */
  private starts: number[] = [];
  private inFlight = 0;
  private pausedUntilMs = 0;
  private readonly rate: AdaptiveRate;
  /** Pacing: the theoretical start time of the next call (generic cell rate algorithm). */
  private nextStartMs = Number.NEGATIVE_INFINITY;

  /**
   * @param limits - The family's limits.
   * @param timeScale - Divides both window lengths (1 = real time).
   */
  constructor(limits: FamilyLimits, timeScale = 1) {
    this.limits = { ...limits };
    this.minuteMs = MINUTE_MS / timeScale;
    this.hourMs = HOUR_MS / timeScale;
    this.rate = new AdaptiveRate(limits.perMinute, this.minuteMs);
  }

  /** Current limits. */
  get currentLimits(): Readonly<FamilyLimits> {
    return this.limits;
  }

  /** Lowers limits to the smaller of current and given (callers sharing a quota must agree on the least). */
  lowerLimits(limits: FamilyLimits): void {
    this.limits = {
      perMinute: Math.min(this.limits.perMinute, limits.perMinute),
      perHour: Math.min(this.limits.perHour, limits.perHour),
      ...(this.limits.paced || limits.paced ? { paced: true } : {}),
      ...(this.limits.maxInFlight !== undefined || limits.maxInFlight !== undefined
        ? { maxInFlight: Math.min(this.limits.maxInFlight ?? Infinity, limits.maxInFlight ?? Infinity) }
        : {}),
    };
    this.rate.lowerCeiling(this.limits.perMinute);
  }

  /** The per-minute rate in force at `nowMs`: the ceiling, or less for a while after a 429. */
  perMinute(nowMs: number): number {
    return this.rate.perMinute(nowMs);
  }

  /**
   * Milliseconds to wait before one more call may start at `nowMs`: 0 = now; `Infinity` = blocked until a
   * call in flight finishes.
   */
  delayMs(nowMs: number): number {
    this.prune(nowMs);
    if (this.limits.maxInFlight !== undefined && this.inFlight >= this.limits.maxInFlight) return Infinity;
    let delay = Math.max(0, this.pausedUntilMs - nowMs);
    delay = Math.max(delay, this.windowDelay(nowMs, this.hourMs, this.limits.perHour));
    const perMinute = Math.max(1, Math.floor(this.rate.perMinute(nowMs)));
    delay = Math.max(delay, this.windowDelay(nowMs, this.minuteMs, perMinute));
    if (this.pacing(nowMs)) delay = Math.max(delay, this.nextStartMs - this.toleranceMs(nowMs) - nowMs);
    return delay;
  }

  /** Records a call starting at `nowMs`. */
  recordStart(nowMs: number): void {
    this.starts.push(nowMs);
    this.inFlight++;
    // Unpaced, a burst builds no debt: pacing, once it starts after a 429, counts from the last start.
    const from = this.pacing(nowMs) ? Math.max(this.nextStartMs, nowMs) : nowMs;
    this.nextStartMs = from + this.rate.spacingMs(nowMs);
  }

  /**
   * Records a call the server refused with 429 (started with {@link recordStart}): it ends, and leaves the
   * windows, because a refused call does not spend the server's quota.
   */
  recordRefused(startedAtMs: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const index = this.starts.indexOf(startedAtMs);
    if (index >= 0) this.starts.splice(index, 1);
  }

  /**
   * After a 429 at `nowMs` asking to wait `retryAfterMs`: cuts the rate (see {@link AdaptiveRate}) and
   * blocks new starts until the wait is over plus a random part of one spacing at the new rate, so the
   * runners refused together do not all come back at the same instant. Pacing resumes from there without
   * a burst. Returns how long new starts are blocked, in milliseconds.
   * @param random - Source of jitter in [0, 1).
   */
  throttled(nowMs: number, retryAfterMs: number, random: () => number = Math.random): number {
    this.prune(nowMs);
    this.rate.onThrottled(nowMs);
    const waitMs = Math.max(0, retryAfterMs) + random() * this.rate.spacingMs(nowMs);
    this.pause(nowMs, waitMs);
    this.nextStartMs = Math.max(this.nextStartMs, this.pausedUntilMs + this.toleranceMs(this.pausedUntilMs));
    return this.pausedUntilMs - nowMs;
  }

  /**
   * Records the end of a call started with {@link recordStart}. With both times, the call's slot moves
   * from its start to its end: the server counts a request when it arrives, which can be any time up to
   * the end, so counting the end keeps the server's sliding window inside the limit whatever the latency.
   */
  recordEnd(startedAtMs?: number, endedAtMs?: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (startedAtMs === undefined || endedAtMs === undefined) return;
    const index = this.starts.indexOf(startedAtMs);
    if (index < 0) return;
    this.starts.splice(index, 1);
    let at = this.starts.length;
    while (at > 0 && (this.starts[at - 1] as number) > endedAtMs) at--;
    this.starts.splice(at, 0, endedAtMs);
  }

  /** Blocks new starts until `nowMs + ms` (extends, never shortens, an existing pause). */
  pause(nowMs: number, ms: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, nowMs + ms);
  }

  /** Calls started within the sliding minute and hour ending at `nowMs`, and calls in flight. */
  usage(nowMs: number): { lastMinute: number; lastHour: number; inFlight: number; pausedForMs: number } {
    this.prune(nowMs);
    const minuteStart = nowMs - this.minuteMs;
    return {
      lastMinute: this.starts.filter((t) => t > minuteStart).length,
      lastHour: this.starts.length,
      inFlight: this.inFlight,
      pausedForMs: Math.max(0, this.pausedUntilMs - nowMs),
    };
  }

  /** Whether starts are spread at `nowMs`: a paced family, or any family while its rate is cut. */
  private pacing(nowMs: number): boolean {
    return this.limits.paced === true || this.rate.isCut(nowMs);
  }

  /** How far ahead of the pacing schedule a start may be: the burst, less the call itself. */
  private toleranceMs(nowMs: number): number {
    return (this.rate.burst(nowMs) - 1) * this.rate.spacingMs(nowMs);
  }

  private prune(nowMs: number): void {
    const hourStart = nowMs - this.hourMs;
    let drop = 0;
    while (drop < this.starts.length && (this.starts[drop] as number) <= hourStart) drop++;
    if (drop > 0) this.starts.splice(0, drop);
  }

  /** Delay until fewer than `limit` starts lie in the window `(now - windowMs, now]`. */
  private windowDelay(nowMs: number, windowMs: number, limit: number): number {
    const windowStart = nowMs - windowMs;
    let first = 0;
    while (first < this.starts.length && (this.starts[first] as number) <= windowStart) first++;
    const count = this.starts.length - first;
    if (count < limit) return 0;
    // The oldest start that must leave the window for one more call to fit.
    const leaving = this.starts[first + count - limit] as number;
    return leaving + windowMs - nowMs;
  }
}
