/**
 * A stack that starts when others have nearly spent the application's hour: the creates the quota
 * refuses wait for the hour to free (far longer than the 600 s a Retry-After is otherwise honoured) and
 * then succeed, each posted once, instead of failing with MDE_THROTTLED.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { sweepProgram } from "../helpers/sweep";

const COUNT = 20;
const SPENT = 1490;
// One emulated hour = 30 real s.
const TIME_SCALE = 120;

test("with 1490 of the hour's 1500 spent by others, every create waits for the hour and succeeds", async (t) => {
  const em = await startTestEmulator({ extraHealthyDevices: COUNT, timeScale: TIME_SCALE });
  t.teardown(() => em.close());
  const s = await emulatorStack(em, sweepProgram(healthyIds(em, COUNT)));
  t.teardown(() => s.dispose());
  const { clientId, tenantId } = em.defaultApp;
  em.consumeQuota({ clientId, tenantId, route: "collect", count: SPENT });
  const spentAt = Date.now();

  const up = await s.up({ parallel: COUNT });
  t.is(up.summary.result, "succeeded");
  const posts = callsOf(em, "collect");
  const created = posts.filter((p) => p.status === 201).sort((a, b) => a.startMs - b.startMs);
  t.is(created.length, COUNT, "one accepted POST per collection");
  const refused = posts.filter((p) => p.status === 429);
  t.true(refused.length >= 1, "the quota did refuse");
  // Ten fit in the hour; the eleventh is accepted only once the spent calls leave the hour window.
  const hourMs = 3_600_000 / TIME_SCALE;
  t.true(
    (created[10]?.startMs ?? 0) >= spentAt + hourMs,
    "the creates beyond the quota waited for the hour, they did not fail",
  );
  const state = await s.exportState();
  t.is(new Set(state.resources.map((r) => r.id)).size, COUNT, "every resource its own action");
});
