/**
 * Client-side rate budgets per endpoint family.
 *
 * Defender enforces per-application limits (100/min and 1500/h per endpoint; 2/min and 120/h for the
 * package link). Staying under them keeps one deployment of many collections from tripping 429 storms. A
 * 429 still seen (the quota is shared with other callers of the same application) pauses the whole family
 * for the requested time plus a little jitter, and cuts the family's rate until it is probed back up
 * (see {@link FamilyBudget.throttled}).
 *
 * {@link FamilyBudget} is the pure window arithmetic (time is passed in); {@link RateLimiter} does the
 * waiting, FIFO per family.
 */
import { abortError } from "../core/sleep";
import { ENDPOINT_FAMILIES, type EndpointFamily, FamilyBudget, type FamilyLimits } from "./familyBudget";

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
  /**
   * Source of jitter in [0, 1) after a 429. Inject for deterministic tests.
   * @default Math.random
   */
  random?: () => number;
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
  private readonly random: () => number;
  private readonly families: Map<EndpointFamily, FamilyState>;

  constructor(options: RateLimiterOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
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
        reject(abortError("The operation was aborted while waiting for the rate limit."));
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
            .then(
              () => state.budget.recordEnd(startedAt, this.clock.now()),
              (error: unknown) => {
                // A 429 is a refusal: the server did not count the call, so neither does the budget.
                if ((error as { status?: unknown } | undefined)?.status === 429)
                  state.budget.recordRefused(startedAt);
                else state.budget.recordEnd(startedAt, this.clock.now());
              },
            )
            .finally(() => this.pump(family))
            .then(() => result)
            .then(resolve, reject);
        },
        abort: () => {
          const index = state.queue.indexOf(waiter);
          if (index >= 0) state.queue.splice(index, 1);
          reject(abortError("The operation was aborted while waiting for the rate limit."));
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

  /**
   * After a 429 on `family` asking to wait `retryAfterMs`: cuts the family's rate and blocks its new calls
   * for the wait plus jitter (see {@link FamilyBudget.throttled}). Returns how long, in milliseconds.
   */
  throttled(family: EndpointFamily, retryAfterMs: number): number {
    const ms = this.state(family).budget.throttled(this.clock.now(), retryAfterMs, this.random);
    this.pump(family);
    return ms;
  }

  /** Lowers a family's limits (never raises them). */
  lowerLimits(family: EndpointFamily, limits: FamilyLimits): void {
    this.state(family).budget.lowerLimits(limits);
  }

  /** Current usage of a family, for diagnostics and tests. */
  usage(family: EndpointFamily): ReturnType<FamilyBudget["usage"]> & { queued: number; perMinute: number } {
    const state = this.state(family);
    const now = this.clock.now();
    return { ...state.budget.usage(now), queued: state.queue.length, perMinute: state.budget.perMinute(now) };
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
