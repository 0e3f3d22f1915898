/**
 * The per-minute rate one family allows itself when the quota is shared with callers it cannot see (other
 * stacks, CI jobs or tools of the same application): cut on a 429, probed back up while no 429 comes,
 * never above the configured ceiling. Pure arithmetic over times passed in, so it is tested with plain
 * numbers; {@link FamilyBudget} applies it.
 *
 * Why these rules: several runners that each keep the whole documented limit overrun the shared quota
 * together, and the one that retries first wins every freed slot. Cutting multiplicatively and raising
 * by steps (as TCP does) makes runners that share a quota converge to equal shares near its ceiling:
 * every runner starts at the ceiling, and a cut takes more from a larger rate. (Cutting to the calls a
 * runner has in the full window, its apparent share, was tried: a runner that starts a little later has
 * few there, drops to the floor and finishes minutes after the others.)
 */

/** Factor applied to the rate on a 429 (multiplicative decrease). */
export const DEFAULT_DECREASE_FACTOR = 0.7;
/**
 * Fraction of the ceiling added in the first window without a 429; each further clean window adds twice
 * the step before (10%, then 20%, 40%, ...).
 */
export const DEFAULT_INCREASE_FRACTION = 0.1;
/** Lowest rate, as a fraction of the ceiling: a runner always keeps probing. */
export const DEFAULT_FLOOR_FRACTION = 0.05;
/** Calls that may start back to back before pacing applies, as a fraction of the rate. */
export const DEFAULT_BURST_FRACTION = 0.1;

/** Tuning of {@link AdaptiveRate}; every field has a default. */
export interface AdaptiveRateOptions {
  /** @default DEFAULT_DECREASE_FACTOR (0.7) */
  decreaseFactor?: number;
  /** @default DEFAULT_INCREASE_FRACTION (0.1) */
  increaseFraction?: number;
  /** @default DEFAULT_FLOOR_FRACTION (0.05) */
  floorFraction?: number;
  /** @default DEFAULT_BURST_FRACTION (0.1) */
  burstFraction?: number;
}

/** A family's adaptive per-minute rate under a ceiling. */
export class AdaptiveRate {
  private ceiling: number;
  /** Rate right after the last cut; `Infinity` when never cut (the ceiling applies). */
  private cutTo = Number.POSITIVE_INFINITY;
  private cutAtMs = Number.NEGATIVE_INFINITY;
  private readonly decrease: number;
  private readonly increase: number;
  private readonly floorFraction: number;
  private readonly burstFraction: number;

  /**
   * @param ceilingPerMinute - The configured limit (`mde:rateLimitPerMinute` or the documented one).
   * @param windowMs - One minute, divided by the time scale.
   */
  constructor(
    ceilingPerMinute: number,
    private readonly windowMs: number,
    options: AdaptiveRateOptions = {},
  ) {
    this.ceiling = ceilingPerMinute;
    this.decrease = options.decreaseFactor ?? DEFAULT_DECREASE_FACTOR;
    this.increase = options.increaseFraction ?? DEFAULT_INCREASE_FRACTION;
    this.floorFraction = options.floorFraction ?? DEFAULT_FLOOR_FRACTION;
    this.burstFraction = options.burstFraction ?? DEFAULT_BURST_FRACTION;
  }

  /** The configured ceiling, calls per minute. */
  get ceilingPerMinute(): number {
    return this.ceiling;
  }

  /** Lowers the ceiling (callers sharing a limiter agree on the least); never raises it. */
  lowerCeiling(perMinute: number): void {
    this.ceiling = Math.min(this.ceiling, perMinute);
  }

  /**
   * Calls per minute allowed at `nowMs`: since the last cut, the rate grows by the increase fraction of
   * the ceiling in the first window without a 429, and by twice the step before in each further one, up
   * to the ceiling. Runners that share the quota are cut again within a window or two, so they grow
   * nearly linearly around their shares; a runner left alone (the others finished) regains the whole
   * ceiling in a few minutes instead of a dozen.
   */
  perMinute(nowMs: number): number {
    if (this.cutTo === Number.POSITIVE_INFINITY) return this.ceiling;
    const windows = Math.max(0, nowMs - this.cutAtMs) / this.windowMs;
    return Math.min(this.ceiling, this.cutTo + this.increase * this.ceiling * (2 ** windows - 1));
  }

  /** Whether the rate is below the ceiling at `nowMs` (a 429 was seen recently). */
  isCut(nowMs: number): boolean {
    return this.perMinute(nowMs) < this.ceiling;
  }

  /**
   * Records a 429 at `nowMs` and returns the new rate. A 429 within half a window of the last cut does
   * not cut again: the quota's window still holds the calls made before that cut, and cutting for each
   * refusal they cause would collapse the rate to the floor.
   */
  onThrottled(nowMs: number): number {
    const current = this.perMinute(nowMs);
    if (nowMs - this.cutAtMs < this.windowMs / 2) return current;
    this.cutTo = Math.max(1, this.floorFraction * this.ceiling, current * this.decrease);
    this.cutAtMs = nowMs;
    return this.cutTo;
  }

  /** Milliseconds between call starts at the rate of `nowMs`. */
  spacingMs(nowMs: number): number {
    return this.windowMs / this.perMinute(nowMs);
  }

  /** Calls that may start back to back at `nowMs` (at least 1). */
  burst(nowMs: number): number {
    return Math.max(1, Math.floor(this.burstFraction * this.perMinute(nowMs)));
  }
}
