/**
 * Client-side rate budgets per endpoint family, shared by every resource in the provider process.
 *
 * Defender enforces per-application limits (100/min and 1500/h per endpoint; 2/min and 120/h for the
 * package link). Staying under them keeps one deployment of many collections from tripping 429 storms, and
 * a 429 still seen (the quota is shared with other callers of the same application) pauses the whole
 * family for the requested time.
 *
 * {@link FamilyBudget} is the pure window arithmetic (time is passed in); {@link RateLimiter} does the
 * waiting, FIFO per family.
 */
import { DefenderError } from "./errors";
import { type Settings, settingsFingerprint } from "./settings";

/** Endpoint families with separate budgets. */
export type EndpointFamily = "collect" | "actions" | "machines" | "packageUri";

/** All endpoint families. */
export const ENDPOINT_FAMILIES: readonly EndpointFamily[] = ["collect", "actions", "machines", "packageUri"];

/** Length of the short window, in (unscaled) milliseconds. */
export const MINUTE_MS = 60_000;
/** Length of the long window, in (unscaled) milliseconds. */
export const HOUR_MS = 3_600_000;
/** Documented package-link limit per minute. */
export const PACKAGE_URI_LIMIT_PER_MINUTE = 2;
/** Documented package-link limit per hour. */
export const PACKAGE_URI_LIMIT_PER_HOUR = 120;

/** Limits of one family. */
export interface FamilyLimits {
  /** Calls allowed to start in any sliding minute. */
  perMinute: number;
  /** Calls allowed to start in any sliding hour. */
  perHour: number;
  /** Calls allowed in flight at once; undefined = unlimited. */
  maxInFlight?: number;
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

  /**
   * @param limits - The family's limits.
   * @param timeScale - Divides both window lengths (1 = real time).
   */
  constructor(limits: FamilyLimits, timeScale = 1) {
    this.limits = { ...limits };
    this.minuteMs = MINUTE_MS / timeScale;
    this.hourMs = HOUR_MS / timeScale;
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
      ...(this.limits.maxInFlight !== undefined || limits.maxInFlight !== undefined
        ? { maxInFlight: Math.min(this.limits.maxInFlight ?? Infinity, limits.maxInFlight ?? Infinity) }
        : {}),
    };
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
    delay = Math.max(delay, this.windowDelay(nowMs, this.minuteMs, this.limits.perMinute));
    return delay;
  }

  /** Records a call starting at `nowMs`. */
  recordStart(nowMs: number): void {
    this.starts.push(nowMs);
    this.inFlight++;
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

/** Time source of a {@link RateLimiter}; replace in tests with a fake clock. */
export interface LimiterClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Schedules `fn` after `ms`; returns a handle for {@link clearTimer}. */
  setTimer(fn: () => void, ms: number): unknown;
  /** Cancels a timer from {@link setTimer}. */
  clearTimer(handle: unknown): void;
}

/** The real clock. */
export const systemClock: LimiterClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Limits per family. */
  limits: Record<EndpointFamily, FamilyLimits>;
  /**
   * Divides every window (emulator exercises).
   * @default 1
   */
  timeScale?: number;
  /**
   * Time source.
   * @default systemClock
   */
  clock?: LimiterClock;
}

/** Options of {@link RateLimiter.schedule}. */
export interface ScheduleOptions {
  /** Abandons the wait (not a call already started). */
  signal?: AbortSignal;
  /**
   * Queue at the head instead of the tail: for a retry that should keep its place.
   * @default false
   */
  front?: boolean;
}

interface Waiter {
  start(): void;
  abort(): void;
}

interface FamilyState {
  budget: FamilyBudget;
  queue: Waiter[];
  timer?: unknown;
}

/** Waits, FIFO per family, until a call fits its family's budget, then runs it. */
export class RateLimiter {
  private readonly clock: LimiterClock;
  private readonly families: Map<EndpointFamily, FamilyState>;

  constructor(options: RateLimiterOptions) {
    this.clock = options.clock ?? systemClock;
    const scale = options.timeScale ?? 1;
    this.families = new Map(
      ENDPOINT_FAMILIES.map((f) => [f, { budget: new FamilyBudget(options.limits[f], scale), queue: [] }]),
    );
  }

  /**
   * Runs `fn` when `family`'s budget allows, after every call queued before it has started.
   * The call counts against the budget when it starts; with `maxInFlight` it holds its slot until settled.
   * @throws DefenderError `MDE_ABORTED` when `signal` aborts while waiting.
   */
  schedule<T>(family: EndpointFamily, fn: () => Promise<T>, options: ScheduleOptions = {}): Promise<T> {
    const state = this.state(family);
    const { signal } = options;
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortedError());
        return;
      }
      const onAbort = () => waiter.abort();
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          const startedAt = this.clock.now();
          state.budget.recordStart(startedAt);
          let result: Promise<T>;
          try {
            result = fn();
          } catch (e) {
            result = Promise.reject(e);
          }
          result
            .finally(() => {
              state.budget.recordEnd(startedAt, this.clock.now());
              this.pump(family);
            })
            .then(resolve, reject);
        },
        abort: () => {
          const index = state.queue.indexOf(waiter);
          if (index >= 0) state.queue.splice(index, 1);
          reject(abortedError());
          this.pump(family);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (options.front) state.queue.unshift(waiter);
      else state.queue.push(waiter);
      this.pump(family);
    });
  }

  /** Blocks every new call of `family` for `ms` milliseconds (after a 429 with Retry-After). */
  pause(family: EndpointFamily, ms: number): void {
    this.state(family).budget.pause(this.clock.now(), ms);
    this.pump(family);
  }

  /** Lowers a family's limits (never raises them). */
  lowerLimits(family: EndpointFamily, limits: FamilyLimits): void {
    this.state(family).budget.lowerLimits(limits);
  }

  /** Current usage of a family, for diagnostics and tests. */
  usage(family: EndpointFamily): ReturnType<FamilyBudget["usage"]> & { queued: number } {
    const state = this.state(family);
    return { ...state.budget.usage(this.clock.now()), queued: state.queue.length };
  }

  private state(family: EndpointFamily): FamilyState {
    const state = this.families.get(family);
    if (!state) throw new TypeError(`unknown endpoint family ${String(family)}`);
    return state;
  }

  private pump(family: EndpointFamily): void {
    const state = this.state(family);
    if (state.timer !== undefined) {
      this.clock.clearTimer(state.timer);
      state.timer = undefined;
    }
    while (state.queue.length > 0) {
      const delay = state.budget.delayMs(this.clock.now());
      if (delay === Infinity) return; // a finishing call pumps again
      if (delay > 0) {
        state.timer = this.clock.setTimer(() => {
          state.timer = undefined;
          this.pump(family);
        }, delay);
        return;
      }
      const next = state.queue.shift() as Waiter;
      next.start();
    }
  }
}

function abortedError(): DefenderError {
  return new DefenderError("MDE_ABORTED", "The operation was aborted while waiting for the rate limit.");
}

/** Default limits for settings: user limits for every family, the package link capped at its documented 2/120. */
export function limitsForSettings(settings: Settings): Record<EndpointFamily, FamilyLimits> {
  const perMinute = settings.rateLimitPerMinute;
  const perHour = settings.rateLimitPerHour;
  return {
    // One collection in flight: concurrent POSTs for the same app gain nothing and make outcomes harder to verify.
    collect: { perMinute, perHour, maxInFlight: 1 },
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

/**
 * The process-wide limiter for these settings' (application, tenant, API host). Created on first use;
 * later settings with lower limits lower them for everyone sharing it.
 */
export function getRateLimiter(settings: Settings): RateLimiter {
  const key = `${settingsFingerprint(settings)}|x${settings.timeScale}`;
  const limits = limitsForSettings(settings);
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new RateLimiter({ limits, timeScale: settings.timeScale });
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
