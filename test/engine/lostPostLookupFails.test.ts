/**
 * Issue 11, failure (b): Defender creates the action but the answer to the POST is lost (commit then
 * drop), and the look-up that would tell fails too (six 500s: the first attempt and its five retries).
 * Nothing can be recorded, so the `up` fails and says to run `pulumi up` again; that run finds the
 * action by the marker in its comment and takes it over: no second POST.
 *
 * Regression: the next `up` posted again, a second collection once the first had finished (or, while
 * it ran, adopted it only because the device refused a second one).
 *
 * The six 500s are armed the moment the emulator drops the answer (its request log): they hit the
 * look-up after the lost answer, not the look-up of earlier attempts before the POST.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { callsOf, emulatorStack, healthyFleet, healthyTemplate, startTestEmulator } from "pulumi-mde-harness";
import {
  assertNoSecrets,
  backendText,
  closeEmulatorApi,
  collectionsOn,
  emulatorSecrets,
  errorText,
  expectFailure,
} from "../helpers/faults";
import { assertOneHeldActionPerDevice } from "../helpers/heldActions";

const TIME_SCALE = 120;
const DAY = 86_400;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };
const COMMENT = "IR-1102: the answer is lost and so is the look-up";

test("lost POST answer and a failing look-up: the up fails saying to run up again, which posts nothing", async (t) => {
  const [device] = healthyFleet(await healthyTemplate(), 1);
  let armed = false;
  const em: Emulator = await startTestEmulator({
    timeScale: TIME_SCALE,
    lifecycle: LIFECYCLE,
    fleet: [device!],
    // Called as each request ends, before the emulator handles the next one.
    log: (line) => {
      if (armed || !/collectInvestigationPackage -> dropped/.test(line)) return;
      armed = true;
      em.injectFault({ route: "listActions", kind: "status", status: 500, times: 6 });
    },
  });
  t.teardown(async () => {
    await closeEmulatorApi(em);
    await em.close();
  });
  const machineId = device!.id;
  const s = await emulatorStack(em, async () => {
    const c = expectFailure(new InvestigationPackageCollection("device-0", { machineId, comment: COMMENT }));
    return { actionId: c.actionId };
  });
  t.teardown(() => s.dispose());

  em.injectFault({ route: "collect", kind: "commitThenDrop" });
  const failure = await s.up().then(
    () => "",
    (e: unknown) => errorText(e),
  );
  t.not(failure, "", "the up fails");
  t.regex(failure, /may have started a collection/);
  t.regex(failure, /Run `pulumi up` again/);
  t.deepEqual(
    callsOf(em, "collect").map((p) => p.status),
    [0],
    "one POST, its answer lost",
  );
  const post = callsOf(em, "collect")[0]!;
  const lookups = callsOf(em, "listActions");
  t.deepEqual(
    lookups.map((c) => c.status),
    [200, 500, 500, 500, 500, 500, 500],
    "the look-up of earlier attempts, then six failed look-ups after the POST",
  );
  t.true(lookups[0]!.endMs <= post.startMs && lookups.slice(1).every((c) => c.startMs >= post.endMs));
  const created = await collectionsOn(em, machineId);
  t.is(created.length, 1, "Defender holds the action");
  t.true(created[0]!.requestorComment?.startsWith(`${COMMENT} [pulumi-mde:`), "marked with the resource");
  t.deepEqual((await s.exportState()).resources, [], "nothing could be recorded");

  // The collection finishes before anyone runs up again: a second POST would be accepted.
  em.clearFaults();
  em.advanceTime(DAY);
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is(callsOf(em, "collect").length, 1, "the second up posted nothing");
  const [held] = await assertOneHeldActionPerDevice(t, em, s, [machineId]);
  t.is(held?.id, created[0]!.id, "the stack holds the action the lost POST created");
  const after = await s.exportState();
  // Found by its marker, posted by the earlier (failed) run: taken over visibly.
  t.like(after.resources[0]?.outputs, {
    status: "Succeeded",
    adopted: true,
    requestorComment: created[0]!.requestorComment,
  });
  t.regex(s.output(), new RegExp(`took over action ${created[0]!.id}`));
  assertNoSecrets(t, { output: s.output(), state: backendText(s) }, emulatorSecrets(em));
});
