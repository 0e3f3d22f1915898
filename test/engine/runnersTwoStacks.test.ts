/**
 * Two runners on one application's quota: two stacks with default settings deploy at once against the
 * same emulator app, together more collections than the quota's minute holds. Every create succeeds, no
 * device gets two collections, and the runners share the quota instead of trading 429s for every create.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { sweepProgram } from "../helpers/sweep";

const PER_STACK = 70;
// One emulated minute = 2 real s: 140 collections at 100 per minute take a few real seconds of quota.
const TIME_SCALE = 30;

test("two stacks at once on one app: every create succeeds once, the 429s stay few", async (t) => {
  const em = await startTestEmulator({ extraHealthyDevices: 2 * PER_STACK, timeScale: TIME_SCALE });
  t.teardown(() => em.close());
  const ids = healthyIds(em, 2 * PER_STACK);
  const slices = [ids.slice(0, PER_STACK), ids.slice(PER_STACK)];
  const stacks = [];
  for (const [r, slice] of slices.entries()) {
    const s = await emulatorStack(
      em,
      sweepProgram(slice, { comment: (i) => `IR-2200: runner ${r} device ${i}` }),
    );
    t.teardown(() => s.dispose());
    stacks.push(s);
  }

  const ups = await Promise.all(stacks.map((s) => s.up({ parallel: 32 })));
  for (const up of ups) t.is(up.summary.result, "succeeded");

  const posts = callsOf(em, "collect");
  const created = posts.filter((p) => p.status === 201);
  t.is(created.length, 2 * PER_STACK, "one accepted POST per collection");
  const devices = created.map((p) => /machines\/([0-9a-f]+)\//.exec(p.path)?.[1]);
  t.is(new Set(devices).size, 2 * PER_STACK, "no device collected twice");
  for (const [r, s] of stacks.entries()) {
    const state = await s.exportState();
    const actions = state.resources.filter((res) => res.type.endsWith("InvestigationPackageCollection"));
    t.is(actions.length, PER_STACK, `stack ${r} holds all its collections`);
    t.is(new Set(actions.map((a) => a.id)).size, PER_STACK, `stack ${r}: every resource its own action`);
  }
  // Each runner alone would take the whole minute and the other would collide with it on nearly every
  // create (about 0.75 refusals per collection before the budget adapted); sharing keeps them rare.
  const throttled = posts.filter((p) => p.status === 429).length;
  t.log(`429s: ${throttled} for ${2 * PER_STACK} collections`);
  t.true(throttled <= 0.25 * 2 * PER_STACK, `429s: ${throttled} for ${2 * PER_STACK} collections`);
});
