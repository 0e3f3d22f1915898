/**
 * A chaos plan, drawn entirely from its seed before anything runs: the fleet, the per-request fault
 * schedule of each phase, when the `pulumi` process is killed, and which collections are deliberately
 * collected again (new `triggers`). Running the plan never draws again, so the same seed always means
 * the same faults at the same request numbers, whatever happened in an earlier run.
 */
import type { FaultRule, RouteName } from "pulumi-mde-emulator";
import { Prng } from "./prng";

/** One declared collection. */
export interface CollectionPlan {
  /** Resource name. */
  name: string;
  /** Declared comment (the provider appends the marker). */
  comment: string;
  waitForCompletion: boolean;
}

/** When a run's `pulumi` process is SIGKILLed. */
export type KillPlan =
  /** Once this run has made `posts` collect calls (any answer), `settleMs` later. */
  | { after: "posts"; posts: number; settleMs: number }
  /**
   * This long after the run's first request to the emulator (its token request, usually): the
   * provider may be looking up earlier attempts, posting, retrying or waiting.
   */
  | { after: "firstCall"; ms: number };

/** One `up` under faults. */
export interface RunPlan {
  kill?: KillPlan;
}

/** One phase: a fault schedule, the runs made under it, then runs with faults cleared until one succeeds. */
export interface PhasePlan {
  /** Chance that any one request of a faulted route fails, in [0, MAX_FAULT_CHANCE]. */
  chance: number;
  /** The schedule, in emulator fault rules (each route's rules apply in order, by request number). */
  rules: FaultRule[];
  /** Faults scheduled, counted by request. */
  scheduled: number;
  /** The runs under faults (the first `up`, then re-runs), each maybe killed. */
  runs: RunPlan[];
  /** Collections whose triggers change at the start of this phase (none in the first). */
  recollect: number[];
}

/** Everything a seed does. */
export interface SeedPlan {
  seed: number;
  collections: CollectionPlan[];
  phases: PhasePlan[];
}

/** Highest per-request fault chance of a schedule. */
export const MAX_FAULT_CHANCE = 0.85;
/** Longest injected latency, in real milliseconds: re-runs wait longer than this after a kill. */
export const MAX_LATENCY_MS = 300;
/** Longest Retry-After of an injected 429, in real seconds. */
export const MAX_RETRY_AFTER_SECONDS = 0.3;

/** How many requests of each route a schedule covers; later requests pass. */
const HORIZON: Partial<Record<RouteName, number>> = {
  collect: 12,
  getAction: 30,
  listActions: 30,
  token: 4,
};

type Kind = "500" | "503" | "429" | "reset" | "latency" | "commitThenDrop";
const READ_KINDS: Kind[] = ["500", "503", "429", "reset", "latency"];
const KINDS: Partial<Record<RouteName, Kind[]>> = {
  collect: [...READ_KINDS, "commitThenDrop"],
  getAction: READ_KINDS,
  listActions: READ_KINDS,
  token: READ_KINDS,
};

function ruleFor(route: RouteName, kind: Kind, skip: number, rng: Prng): FaultRule {
  const at = { route, skip, times: 1 };
  switch (kind) {
    case "500":
      return { ...at, kind: "status", status: 500 };
    case "503":
      return { ...at, kind: "status", status: 503 };
    case "429":
      return {
        ...at,
        kind: "status",
        status: 429,
        retryAfterSeconds: rng.int(1, MAX_RETRY_AFTER_SECONDS * 100) / 100,
      };
    case "reset":
      return { ...at, kind: "reset" };
    case "latency":
      return { ...at, kind: "latency", ms: rng.int(20, MAX_LATENCY_MS) };
    case "commitThenDrop":
      return { ...at, kind: "commitThenDrop" };
  }
}

/**
 * A per-request schedule: each of the first HORIZON requests of a route fails with probability
 * `chance`, in a kind drawn for it. Encoded as emulator rules taken in order: a rule lets `skip`
 * requests through, then applies to one.
 */
export function drawSchedule(rng: Prng, chance: number): { rules: FaultRule[]; scheduled: number } {
  const rules: FaultRule[] = [];
  for (const [route, horizon] of Object.entries(HORIZON) as [RouteName, number][]) {
    let passed = 0;
    for (let n = 0; n < horizon; n++) {
      if (!rng.chance(chance)) {
        passed++;
        continue;
      }
      rules.push(ruleFor(route, rng.pick(KINDS[route] ?? READ_KINDS), passed, rng));
      passed = 0;
    }
  }
  return { rules, scheduled: rules.length };
}

function drawKill(rng: Prng, fleetSize: number): KillPlan {
  if (rng.chance(0.7)) {
    return { after: "posts", posts: rng.int(1, fleetSize), settleMs: rng.int(0, 400) };
  }
  return { after: "firstCall", ms: rng.int(0, 1500) };
}

function drawPhase(rng: Prng, fleetSize: number, recollect: number[]): PhasePlan {
  // A quarter of the schedules are dense; the rest spread over the whole range.
  const chance = rng.chance(0.25)
    ? 0.6 + rng.next() * (MAX_FAULT_CHANCE - 0.6)
    : rng.next() * MAX_FAULT_CHANCE;
  const { rules, scheduled } = drawSchedule(rng, chance);
  const runs: RunPlan[] = [];
  const count = rng.int(1, 3);
  for (let r = 0; r < count; r++) {
    // The first run is killed half the time, re-runs less often.
    runs.push(rng.chance(r === 0 ? 0.5 : 0.25) ? { kill: drawKill(rng, fleetSize) } : {});
  }
  return { chance, rules, scheduled, runs, recollect };
}

/** The whole plan of a seed. */
export function drawPlan(seed: number): SeedPlan {
  const rng = new Prng(seed);
  const size = rng.int(3, 5);
  const collections: CollectionPlan[] = Array.from({ length: size }, (_, i) => ({
    name: `c-${i}`,
    comment: `CHAOS-${seed}: collection ${i}`,
    waitForCompletion: rng.chance(0.5),
  }));
  const phases = [drawPhase(rng, size, [])];
  if (rng.chance(0.4)) {
    const recollect = collections.map((_, i) => i).filter(() => rng.chance(0.6));
    if (recollect.length === 0) recollect.push(rng.int(0, size - 1));
    phases.push(drawPhase(rng, size, recollect));
  }
  return { seed, collections, phases };
}

/** One line describing a plan, for logs. */
export function describePlan(plan: SeedPlan): string {
  const fleet = plan.collections.map((c) => (c.waitForCompletion ? "w" : "-")).join("");
  const phases = plan.phases.map((p, i) => {
    const kills = p.runs.map((r) =>
      !r.kill
        ? "up"
        : r.kill.after === "posts"
          ? `kill@${r.kill.posts}posts+${r.kill.settleMs}ms`
          : `kill@firstCall+${r.kill.ms}ms`,
    );
    const re = p.recollect.length ? ` recollect [${p.recollect.join(",")}]` : "";
    return `phase ${i + 1}: chance ${p.chance.toFixed(2)}, ${p.scheduled} faults, runs ${kills.join(" ")}${re}`;
  });
  return `seed ${plan.seed}: ${plan.collections.length} collections (${fleet}); ${phases.join("; ")}`;
}
