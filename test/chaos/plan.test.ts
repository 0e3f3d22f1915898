/**
 * The chaos plan is a pure function of its seed, and its fault rules mean what the plan says: replayed
 * through the emulator's rule semantics (per route, in order; a rule lets `skip` requests through,
 * then applies to `times`), the faulted request numbers are exactly those drawn.
 */
import test from "ava";
import type { FaultRule } from "pulumi-mde-emulator";
import { drawPlan, drawSchedule, MAX_FAULT_CHANCE, MAX_LATENCY_MS, MAX_RETRY_AFTER_SECONDS } from "./plan";
import { Prng } from "./prng";

/** Which request numbers (0-based) of `route` meet a fault, over the first `n`. */
function faulted(rules: FaultRule[], route: string, n: number): number[] {
  const left = rules
    .filter((r) => r.route === route)
    .map((r) => ({ skip: r.skip ?? 0, times: r.times ?? 1 }));
  const hits: number[] = [];
  for (let i = 0; i < n; i++) {
    const rule = left[0];
    if (!rule) break;
    if (rule.skip > 0) {
      rule.skip--;
      continue;
    }
    hits.push(i);
    if (--rule.times === 0) left.shift();
  }
  return hits;
}

test("the same seed draws the same plan; another seed another", (t) => {
  t.deepEqual(drawPlan(42), drawPlan(42));
  t.notDeepEqual(drawPlan(42), drawPlan(43));
});

test("plans stay within their bounds", (t) => {
  for (let seed = 1; seed <= 300; seed++) {
    const plan = drawPlan(seed);
    t.true(plan.collections.length >= 3 && plan.collections.length <= 5);
    for (const phase of plan.phases) {
      t.true(phase.chance >= 0 && phase.chance <= MAX_FAULT_CHANCE);
      t.true(phase.runs.length >= 1 && phase.runs.length <= 3);
      for (const rule of phase.rules) {
        if (rule.kind === "latency") t.true(rule.ms <= MAX_LATENCY_MS);
        if (rule.kind === "status" && rule.status === 429)
          t.true((rule.retryAfterSeconds ?? 0) <= MAX_RETRY_AFTER_SECONDS);
        if (rule.kind === "commitThenDrop") t.is(rule.route, "collect");
      }
    }
    t.true(plan.phases.slice(1).every((p) => p.recollect.length > 0));
  }
});

test("the rules fault exactly the drawn request numbers", (t) => {
  // Redraw the schedule's coin flips with the same stream to know which requests were meant.
  const chance = 0.5;
  const { rules } = drawSchedule(new Prng(7), chance);
  const expected: Record<string, number[]> = {};
  const rng = new Prng(7);
  for (const [route, horizon] of [
    ["collect", 12],
    ["getAction", 30],
    ["listActions", 30],
    ["token", 4],
  ] as const) {
    expected[route] = [];
    for (let n = 0; n < horizon; n++) {
      if (!rng.chance(chance)) continue;
      expected[route].push(n);
      // The kind, and the parameter of kinds that draw one, as drawSchedule draws them.
      const kinds = route === "collect" ? 6 : 5;
      const k = Math.floor(rng.next() * kinds);
      if (k === 2 || k === 4) rng.next();
    }
    t.deepEqual(faulted(rules, route, 100), expected[route], route);
  }
});
