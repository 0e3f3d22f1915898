/**
 * Many collections in one deployment: creates are serialized, spaced inside the budgets, and 429s
 * caused by other callers of the same app are absorbed without a duplicate or a failure.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, maxInFlight, startTestEmulator } from "pulumi-mde-harness";
import { sweepProgram } from "../helpers/sweep";

const COUNT = 25;

test("25 collections at parallel 25: 25 POSTs, one at a time, no 429, one token request", async (t) => {
  const em = await startTestEmulator({ extraHealthyDevices: COUNT });
  t.teardown(() => em.close());
  const s = await emulatorStack(em, sweepProgram(healthyIds(em, COUNT)));
  t.teardown(() => s.dispose());

  const up = await s.up({ parallel: COUNT });
  t.is(up.summary.resourceChanges?.create, COUNT + 1);
  const posts = callsOf(em, "collect");
  t.is(posts.length, COUNT, "exactly one POST per collection");
  t.true(
    posts.every((p) => p.status === 201),
    "every POST created an action",
  );
  t.is(maxInFlight(em, "collect"), 1, "never two POSTs in flight at once");
  t.is(em.calls().filter((c) => c.status === 429).length, 0, "no 429");
  t.is(callsOf(em, "token").length, 1, "one token request serves the deployment");
  const ids = new Set((up.outputs.ids?.value as string[]) ?? []);
  t.is(ids.size, COUNT, "every resource holds its own action");
});

test("mde:rateLimitPerMinute = 10: never more than 10 POSTs in any emulated minute, no 429", async (t) => {
  // One emulated minute per real second, for the emulator and the provider alike.
  const timeScale = 60;
  const minuteMs = 60_000 / timeScale;
  const em = await startTestEmulator({ extraHealthyDevices: COUNT, timeScale });
  t.teardown(() => em.close());
  const s = await emulatorStack(em, sweepProgram(healthyIds(em, COUNT)), {
    config: { "mde:rateLimitPerMinute": { value: "10" } },
  });
  t.teardown(() => s.dispose());

  await s.up({ parallel: COUNT });
  const starts = callsOf(em, "collect")
    .map((c) => c.startMs)
    .sort((a, b) => a - b);
  t.is(starts.length, COUNT);
  let busiest = 0;
  for (const start of starts) {
    busiest = Math.max(busiest, starts.filter((s2) => s2 >= start && s2 < start + minuteMs).length);
  }
  t.true(busiest <= 10, `at most 10 POSTs in any emulated minute (busiest: ${busiest})`);
  t.true(busiest >= 9, `the budget is used, not wasted (busiest: ${busiest})`);
  t.is(em.calls().filter((c) => c.status === 429).length, 0, "no 429");
});

test("foreign traffic eating the quota: 429s are absorbed and every collection is created once", async (t) => {
  const timeScale = 60;
  const minuteMs = 60_000 / timeScale;
  const em = await startTestEmulator({ extraHealthyDevices: COUNT, timeScale });
  t.teardown(() => em.close());
  const { clientId, tenantId } = em.defaultApp;
  // Another caller of the same app posts steadily at 95 calls per minute for 8 emulated minutes,
  // leaving this one about 5 per minute. (Longer would be unrealistic: at that pace the other caller
  // would hit the 1500-per-hour cap itself after 16 minutes.) It starts with this deployment's first
  // POST, so that engine start-up time on a busy machine cannot make the two miss each other.
  let ticks = 0;
  const eat = () => {
    if (ticks === 0 && callsOf(em, "collect").length === 0) return;
    if (ticks++ < 40) em.consumeQuota({ clientId, tenantId, route: "collect", count: ticks === 1 ? 95 : 19 });
  };
  const foreign = setInterval(eat, minuteMs / 5);
  const trigger = setInterval(() => ticks === 0 && eat(), 10);
  t.teardown(() => {
    clearInterval(foreign);
    clearInterval(trigger);
  });
  const s = await emulatorStack(em, sweepProgram(healthyIds(em, COUNT)));
  t.teardown(() => s.dispose());

  const up = await s.up({ parallel: COUNT });
  clearInterval(foreign);
  clearInterval(trigger);
  t.is(up.summary.result, "succeeded");
  const posts = callsOf(em, "collect");
  const throttled = posts.filter((p) => p.status === 429);
  const created = posts.filter((p) => p.status === 201);
  t.true(throttled.length >= 1, "the foreign traffic did cause 429s");
  t.is(created.length, COUNT, "exactly one action created per collection");
  t.is(maxInFlight(em, "collect"), 1);
  const state = await s.exportState();
  t.is(state.resources.length, COUNT);
  t.is(new Set(state.resources.map((r) => r.id)).size, COUNT, "no two resources share an action");
});
