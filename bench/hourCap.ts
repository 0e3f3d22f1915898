/**
 * Scenario 2: more collections than the hourly quota (1500) in one `up`. The provider must hold the
 * 1501st POST until the first POST has left the sliding hour, and never be refused.
 */
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { collectionProgram } from "./collectionProgram";
import { acceptedArrivals, busiestWindow, emulatedMinutes, minuteMs } from "./postTimeline";

/** The documented per-hour ceiling of the collect API. */
export const PER_HOUR_CEILING = 1500;

/** Parameters of {@link runHourCap}. */
export interface HourCapParams {
  n: number;
  parallel: number;
  timeScale: number;
}

/** Figures of one hour-cap run. */
export interface HourCapRun {
  /** Emulated minutes from the first accepted POST to the 1501st (at least 60 when the cap is kept). */
  readonly firstToOverCapMinutes: number;
  /** Emulated minutes from the 1500th accepted POST to the 1501st: the wait for the hour window. */
  readonly overCapWaitMinutes: number;
  /** Emulated minutes from the first accepted POST to the 1500th. */
  readonly firstToCapMinutes: number;
  /** 429 answers on any route. */
  readonly throttled: number;
  /** Most accepted POSTs in any sliding emulated hour / minute. */
  readonly busiestHour: number;
  readonly busiestMinute: number;
  /** Collect POSTs (any answer) per declared collection. */
  readonly postsPerCollection: number;
  /** Collect POSTs refused with 401 (a token that expired before the POST was sent). */
  readonly unauthorized: number;
  readonly tokenRequests: number;
  readonly created: number;
  readonly upSeconds: number;
  /** Why the `up` failed, when it did (the figures then show what happened before). */
  readonly error?: string;
}

/** Deploys `n` (> 1500) collections and measures how the hour cap was kept. */
export async function runHourCap(p: HourCapParams): Promise<HourCapRun> {
  if (p.n <= PER_HOUR_CEILING)
    throw new Error(`the hour cap needs more than ${PER_HOUR_CEILING} collections`);
  const em = await startTestEmulator({ extraHealthyDevices: p.n, timeScale: p.timeScale });
  try {
    const stack = await benchStack(collectionProgram("collection", healthyIds(em, p.n)), {
      config: emulatorConfig(em),
    });
    try {
      const up = await timedUp(stack, { parallel: p.parallel });
      const calls = em.calls();
      const arrivals = acceptedArrivals(calls, "collect");
      const at = (k: number) => arrivals[k - 1] ?? Number.NaN; // k-th accepted POST, 1-based
      return {
        firstToOverCapMinutes: emulatedMinutes(at(1), at(PER_HOUR_CEILING + 1), p.timeScale),
        overCapWaitMinutes: emulatedMinutes(at(PER_HOUR_CEILING), at(PER_HOUR_CEILING + 1), p.timeScale),
        firstToCapMinutes: emulatedMinutes(at(1), at(PER_HOUR_CEILING), p.timeScale),
        throttled: calls.filter((c) => c.status === 429).length,
        busiestHour: busiestWindow(arrivals, 60 * minuteMs(p.timeScale)),
        busiestMinute: busiestWindow(arrivals, minuteMs(p.timeScale)),
        postsPerCollection: calls.filter((c) => c.route === "collect").length / p.n,
        tokenRequests: calls.filter((c) => c.route === "token").length,
        unauthorized: calls.filter((c) => c.route === "collect" && c.status === 401).length,
        created: (await stack.exportState()).resources.filter((r) => r.id).length,
        upSeconds: up.seconds,
        ...(up.error ? { error: up.error } : {}),
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await em.close();
  }
}
