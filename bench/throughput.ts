/**
 * Scenario 1: one `up` of many collections against the emulator with its real (time-scaled) limits.
 * How close the provider runs to the quota, and what it costs in requests.
 */
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { collectionProgram } from "./collectionProgram";
import {
  acceptedArrivals,
  busiestWindow,
  emulatedMinutes,
  minuteMs,
  realTimeRatio,
  sustainedRatio,
  windowLagMs,
} from "./postTimeline";

/** The documented per-minute ceiling of the collect API. */
export const PER_MINUTE_CEILING = 100;

/** Parameters of {@link runThroughput}. */
export interface ThroughputParams {
  n: number;
  parallel: number;
  timeScale: number;
}

/** Figures of one throughput run. */
export interface ThroughputRun {
  /** Sustained rate / ceiling, see `sustainedRatio`. */
  readonly ratio: number;
  /** Real ms each whole window lasted beyond one emulated minute, see `windowLagMs`. */
  readonly windowLagMs: number;
  /** {@link ratio} projected to real time with the same lag, see `realTimeRatio`. */
  readonly realTimeRatio: number;
  /** 429 answers on any route. */
  readonly throttled: number;
  /** Collect POSTs (any answer) per declared collection. */
  readonly postsPerCollection: number;
  /** Collect POSTs refused with 401 (a token that expired before the POST was sent). */
  readonly unauthorized: number;
  /** Token endpoint requests during the deployment. */
  readonly tokenRequests: number;
  /** Most accepted POSTs in any sliding emulated minute. */
  readonly busiestMinute: number;
  /** Emulated minutes from the first accepted POST to the last. */
  readonly postSpanMinutes: number;
  /** Resources created (in exported state). */
  readonly created: number;
  /** Resources that failed. */
  readonly failed: number;
  /** Real seconds of the `up`. */
  readonly upSeconds: number;
  /** Why the `up` failed, when it did (the figures then show what happened before). */
  readonly error?: string;
}

/** Deploys `n` collections at `parallel` and measures. */
export async function runThroughput(p: ThroughputParams): Promise<ThroughputRun> {
  const em = await startTestEmulator({ extraHealthyDevices: p.n, timeScale: p.timeScale });
  try {
    const stack = await benchStack(collectionProgram("collection", healthyIds(em, p.n)), {
      config: emulatorConfig(em),
    });
    try {
      const up = await timedUp(stack, { parallel: p.parallel });
      const calls = em.calls();
      const posts = calls.filter((c) => c.route === "collect");
      const arrivals = acceptedArrivals(calls, "collect");
      const lag = windowLagMs(arrivals, p.timeScale, PER_MINUTE_CEILING);
      const created = (await stack.exportState()).resources.filter((r) => r.id).length;
      return {
        ratio: sustainedRatio(arrivals, p.timeScale, PER_MINUTE_CEILING),
        windowLagMs: lag,
        realTimeRatio: realTimeRatio(lag),
        throttled: calls.filter((c) => c.status === 429).length,
        postsPerCollection: posts.length / p.n,
        tokenRequests: calls.filter((c) => c.route === "token").length,
        unauthorized: calls.filter((c) => c.route === "collect" && c.status === 401).length,
        busiestMinute: busiestWindow(arrivals, minuteMs(p.timeScale)),
        postSpanMinutes: emulatedMinutes(arrivals[0] ?? 0, arrivals.at(-1) ?? 0, p.timeScale),
        created,
        failed: p.n - created,
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
