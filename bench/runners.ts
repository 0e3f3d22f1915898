/**
 * Scenario 10: several runners on one application's quota. K stacks (as K CI jobs would run them) with
 * default settings, each collecting from its own devices, started together against one emulator app;
 * optionally with a foreign client of the same app, or with most of the hour's quota already spent by
 * others. How the runners share the quota: the combined rate, the 429s, how far apart they finish, and
 * whether every create succeeds.
 */
import type { CallRecord } from "pulumi-mde-emulator";
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { collectionProgram } from "./collectionProgram";
import { FOREIGN_DEVICE_ID, startForeignClient } from "./foreignClient";
import { minuteMs, sustainedRatio } from "./postTimeline";

/** The documented per-minute ceiling of the collect API. */
const PER_MINUTE_CEILING = 100;

/** Parameters of {@link runRunners}. */
export interface RunnersParams {
  /** Stacks started together. */
  k: number;
  /** Collections per stack. */
  n: number;
  timeScale: number;
  /** A foreign client of the same app posting this many calls per emulated minute. @default none */
  foreignPerMinute?: number;
  /** Collect calls of the hour's quota spent by others just before the runners start. @default 0 */
  spentOfHour?: number;
}

/** Figures of one run. */
export interface RunnersRun {
  /**
   * How full the quota's minute was while the runners posted: the mean, over every moment from one minute
   * after the first runner POST to the last accepted one, of the calls the API admitted (runners' and
   * foreign) in the minute before that moment, divided by 100. See {@link windowFullness}.
   */
  readonly combinedRatio: number;
  /** Bench 1's `sustainedRatio` over the same admitted calls (it also charges a change of pace). */
  readonly sustainedRatio: number;
  /** The runners' 429 answers per declared collection. */
  readonly throttledPerCollection: number;
  /** Emulated minutes from the first runner POST to each runner's last accepted POST, per runner. */
  readonly finishMinutes: readonly number[];
  /** Emulated minutes from the first runner POST to each runner's first POST (engine start-up skew). */
  readonly startMinutes: readonly number[];
  /** Accepted runner POSTs per emulated minute from the first POST, per runner (for reading a run). */
  readonly perMinute: readonly (readonly number[])[];
  /** Last finisher / first finisher, from {@link finishMinutes}. */
  readonly finishRatio: number;
  /** Accepted foreign calls / foreign calls sent while the runners posted (NaN without a foreign client). */
  readonly foreignKept: number;
  /** Collections declared / created in state / with more than one accepted POST. */
  readonly declared: number;
  readonly created: number;
  readonly duplicated: number;
  /** Runners whose `up` failed. */
  readonly failedUps: number;
  /** Real seconds from the start to the last `up` returning. */
  readonly seconds: number;
  /** The first failure, when an `up` failed. */
  readonly error?: string;
}

const collectPath = /\/api\/machines\/([0-9a-f]+)\/collectInvestigationPackage$/;

function deviceOf(call: CallRecord): string | undefined {
  return collectPath.exec(call.path)?.[1];
}

/** Deploys K stacks of `n` collections at once and measures how they shared the quota. */
export async function runRunners(p: RunnersParams): Promise<RunnersRun> {
  const em = await startTestEmulator({ extraHealthyDevices: p.k * p.n, timeScale: p.timeScale });
  const ids = healthyIds(em, p.k * p.n);
  const slices = Array.from({ length: p.k }, (_, r) => ids.slice(r * p.n, (r + 1) * p.n));
  const owner = new Map(slices.flatMap((slice, r) => slice.map((id) => [id, r] as const)));
  const stacks = [];
  try {
    for (const slice of slices) {
      stacks.push(await benchStack(collectionProgram("collection", slice), { config: emulatorConfig(em) }));
    }
    const { clientId, tenantId } = em.defaultApp;
    if (p.spentOfHour) em.consumeQuota({ clientId, tenantId, route: "collect", count: p.spentOfHour });
    const foreign = p.foreignPerMinute ? startForeignClient(em, p.foreignPerMinute, p.timeScale) : undefined;
    const started = performance.now();
    const ups = await Promise.all(stacks.map((s) => timedUp(s, { parallel: 32 })));
    const seconds = (performance.now() - started) / 1000;
    await foreign?.stop();

    const posts = em.calls({ route: "collect" });
    const ours = posts.filter((c) => owner.has(deviceOf(c) ?? ""));
    const accepted = ours.filter((c) => c.status === 201);
    const firstPost = Math.min(...ours.map((c) => c.startMs));
    const lastAccepted = Math.max(...accepted.map((c) => c.startMs));
    const finishMinutes = slices.map((_, r) => {
      const mine = accepted.filter((c) => owner.get(deviceOf(c) ?? "") === r).map((c) => c.startMs);
      return mine.length > 0 ? (Math.max(...mine) - firstPost) / minuteMs(p.timeScale) : Number.NaN;
    });
    const startMinutes = slices.map((_, r) => {
      const mine = ours.filter((c) => owner.get(deviceOf(c) ?? "") === r).map((c) => c.startMs);
      return (Math.min(...mine) - firstPost) / minuteMs(p.timeScale);
    });
    const perMinute = slices.map((_, r) => {
      const counts: number[] = [];
      for (const c of accepted) {
        if (owner.get(deviceOf(c) ?? "") !== r) continue;
        const bucket = Math.floor((c.startMs - firstPost) / minuteMs(p.timeScale));
        while (counts.length <= bucket) counts.push(0);
        counts[bucket] = (counts[bucket] ?? 0) + 1;
      }
      return counts;
    });
    const during = (c: CallRecord) => c.startMs >= firstPost && c.startMs <= lastAccepted;
    const foreignCalls = posts.filter((c) => deviceOf(c) === FOREIGN_DEVICE_ID && during(c));
    const admitted = posts
      .filter((c) => during(c) && c.status !== 429 && c.status !== 401)
      .map((c) => c.startMs)
      .sort((a, b) => a - b);
    const perDevice = new Map<string, number>();
    for (const c of accepted) perDevice.set(deviceOf(c) ?? "", (perDevice.get(deviceOf(c) ?? "") ?? 0) + 1);
    let created = 0;
    for (const s of stacks) created += (await s.exportState()).resources.filter((r) => r.id).length;
    const failed = ups.filter((u) => u.error);
    return {
      combinedRatio: windowFullness(admitted, firstPost + minuteMs(p.timeScale), lastAccepted, p.timeScale),
      sustainedRatio: sustainedRatio(admitted, p.timeScale, PER_MINUTE_CEILING),
      throttledPerCollection: ours.filter((c) => c.status === 429).length / (p.k * p.n),
      finishMinutes,
      startMinutes,
      perMinute,
      finishRatio: Math.max(...finishMinutes) / Math.min(...finishMinutes),
      foreignKept:
        foreignCalls.length > 0
          ? foreignCalls.filter((c) => c.status !== 429).length / foreignCalls.length
          : Number.NaN,
      declared: p.k * p.n,
      created,
      duplicated: [...perDevice.values()].filter((v) => v > 1).length,
      failedUps: failed.length,
      seconds,
      ...(failed[0]?.error ? { error: failed[0].error } : {}),
    };
  } finally {
    for (const s of stacks) await s.dispose();
    await em.close();
  }
}

/**
 * The mean fullness of the quota's sliding minute over `[fromMs, toMs]`, sampled every emulated second:
 * admitted calls in the minute before each sample, divided by the ceiling. A quota kept saturated scores
 * 1 whatever the shape of the traffic (one burst per minute, or calls spread evenly); `sustainedRatio`
 * instead reads the spacing of arrivals a whole window apart, so a burst followed by even pacing (the
 * first minute of paced runners started together) costs it up to a tenth without leaving any of the
 * quota unused. `arrivals` must be ascending. NaN when the span is empty.
 */
export function windowFullness(
  arrivals: readonly number[],
  fromMs: number,
  toMs: number,
  timeScale: number,
): number {
  const windowMs = minuteMs(timeScale);
  const stepMs = windowMs / 60;
  let sum = 0;
  let samples = 0;
  let first = 0;
  let last = 0;
  for (let t = fromMs; t <= toMs; t += stepMs) {
    while (last < arrivals.length && (arrivals[last] as number) <= t) last++;
    while (first < last && (arrivals[first] as number) <= t - windowMs) first++;
    sum += Math.min(1, (last - first) / PER_MINUTE_CEILING);
    samples++;
  }
  return samples > 0 ? sum / samples : Number.NaN;
}
