/**
 * Fleet-scale reads on the engine: 30 collections waited for in one `up`, then refreshed. The waits of
 * every resource share one status reader, so the emulator's call record shows far fewer read calls
 * than collections, and each resource still ends with its own action and status.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { collectionsOn } from "../helpers/faults";

const COUNT = 30;
// One emulated minute per 6 real seconds: a poll tick (10 emulated seconds) is 1.7 s.
const TIME_SCALE = 10;
const LIFECYCLE = { pendingSeconds: 30, inProgressSeconds: 60 };

const reads = (em: Parameters<typeof callsOf>[0]) =>
  callsOf(em, "getAction").length + callsOf(em, "listActions").length;

test("30 waited collections: a handful of read calls, every resource with its own Succeeded action; refresh in one or two", async (t) => {
  const em = await startTestEmulator({
    timeScale: TIME_SCALE,
    lifecycle: LIFECYCLE,
    extraHealthyDevices: COUNT,
  });
  t.teardown(() => em.close());
  const ids = healthyIds(em, COUNT);
  const s = await emulatorStack(em, async () => {
    const collections = ids.map(
      (machineId, i) =>
        new InvestigationPackageCollection(`device-${i}`, {
          machineId,
          comment: `IR-2000: fleet read ${i}`,
          waitForCompletion: true,
        }),
    );
    return { ids: collections.map((c) => c.actionId) };
  });
  t.teardown(() => s.dispose());

  // Waited creates hold an engine slot each: let all of them run at once.
  const up = await s.up({ parallel: 64 });
  t.is(up.summary.result, "succeeded");
  t.is(callsOf(em, "collect").length, COUNT, "one POST per collection");
  const upReads = reads(em);
  t.log(`up: ${upReads} read calls for ${COUNT} waited collections`);
  t.true(upReads <= COUNT / 2, `read calls (${upReads}) well under one per collection`);
  // Posts are paced over the minute, so a straggler may be polled alone (one single GET); the rest coalesce.
  const singles = callsOf(em, "getAction").length;
  t.true(singles <= 2, `at most a straggler's single GETs (${singles}): the polls were coalesced`);

  const state = await s.exportState();
  t.is(state.resources.length, COUNT);
  for (const [i, machineId] of ids.entries()) {
    const held = state.resources.find((r) => r.urn.endsWith(`::device-${i}`));
    const [action] = await collectionsOn(em, machineId);
    t.is(held?.id, action?.id, `device ${i} holds its own action`);
    t.is(held?.outputs?.status, "Succeeded");
    t.is(held?.outputs?.machineId, machineId);
  }

  const before = reads(em);
  const refresh = await s.refresh();
  t.is(refresh.summary.result, "succeeded");
  const refreshReads = reads(em) - before;
  t.log(`refresh: ${refreshReads} read calls for ${COUNT} collections`);
  t.true(refreshReads >= 1 && refreshReads <= 2, `refresh read calls: ${refreshReads}`);
  t.true((await s.exportState()).resources.every((r) => r.outputs?.status === "Succeeded"));
});
