/**
 * Figures computed from the emulator's call record: when each collection POST reached the API, how
 * those arrivals sit in the quota's sliding windows, and the sustained rate.
 *
 * Times in the record are real epoch milliseconds; a window of W emulated seconds lasts W / timeScale
 * real seconds, exactly as the emulator's own limiter computes it.
 */
import type { CallRecord } from "pulumi-mde-emulator";

/** Real milliseconds of one emulated minute at `timeScale`. */
export function minuteMs(timeScale: number): number {
  return 60_000 / timeScale;
}

/** Arrival times (real epoch ms, ascending) of the calls of `route` that the API accepted (2xx). */
export function acceptedArrivals(calls: readonly CallRecord[], route: CallRecord["route"]): number[] {
  return calls
    .filter((c) => c.route === route && c.status >= 200 && c.status < 300)
    .map((c) => c.startMs)
    .sort((a, b) => a - b);
}

/**
 * Most arrivals in any window `[t, t + windowMs)`: what the API's sliding-window limiter sees at its
 * busiest. `arrivals` must be ascending.
 */
export function busiestWindow(arrivals: readonly number[], windowMs: number): number {
  let busiest = 0;
  let first = 0;
  for (let last = 0; last < arrivals.length; last++) {
    while ((arrivals[first] as number) <= (arrivals[last] as number) - windowMs) first++;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}

/**
 * Sustained rate divided by the per-minute ceiling, over whole windows ending at the last arrival:
 * with `k = floor((n - 1) / limit)` and `m = n - k * limit`, the rate is `(n - m)` calls over
 * `t_n - t_m` emulated minutes (times are arrivals, 1-based), divided by `limit` per minute.
 * For n = 500 and limit = 100: the 400 POSTs after the 100th, over the time from the 100th to the 500th.
 *
 * Why it cannot exceed 1.0 for a perfect limiter: a sliding window admits call `i` only once call
 * `i - limit` has left it, so `t_i >= t_(i-limit) + 1 min`, and by induction `t_n >= t_m + k min`.
 * Plain `n / elapsed` would credit the free initial burst of `limit` calls and exceed 1.0; starting at
 * the first arrival (`(n - limit) / (t_n - t_1)`) would charge the burst's own duration, which at a high
 * time scale is engine speed, not limiter quality. NaN when `n <= limit` (no whole window after the burst).
 */
export function sustainedRatio(arrivals: readonly number[], timeScale: number, perMinute: number): number {
  const n = arrivals.length;
  if (n <= perMinute) return Number.NaN;
  const k = Math.floor((n - 1) / perMinute);
  const m = n - k * perMinute;
  const spanMinutes = ((arrivals[n - 1] as number) - (arrivals[m - 1] as number)) / minuteMs(timeScale);
  return (n - m) / spanMinutes / perMinute;
}

/**
 * Real milliseconds by which each whole window of {@link sustainedRatio} lasted longer than one emulated
 * minute: `((t_n - t_m) - k * minute) / k`. A limiter that counts a call at its end (as the provider's
 * does, to stay safe whatever the latency) restarts each window one client round trip late, plus timer
 * and scheduling delays. That lag is real time: it does not shrink with the time scale.
 */
export function windowLagMs(arrivals: readonly number[], timeScale: number, perMinute: number): number {
  const n = arrivals.length;
  if (n <= perMinute) return Number.NaN;
  const k = Math.floor((n - 1) / perMinute);
  const m = n - k * perMinute;
  return ((arrivals[n - 1] as number) - (arrivals[m - 1] as number) - k * minuteMs(timeScale)) / k;
}

/**
 * The sustained ratio the same lag per window would give at real time (one minute = 60 000 ms):
 * `60 000 / (60 000 + lag)`. A projection, not a measurement: it assumes the lag is what it was here.
 */
export function realTimeRatio(lagMs: number): number {
  return 60_000 / (60_000 + Math.max(0, lagMs));
}

/** Emulated minutes between two arrivals. */
export function emulatedMinutes(fromMs: number, toMs: number, timeScale: number): number {
  return (toMs - fromMs) / minuteMs(timeScale);
}
