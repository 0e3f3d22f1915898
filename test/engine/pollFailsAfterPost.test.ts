/**
 * Issue 11, failure (a): the collect POST succeeds, then every status read of waitForCompletion fails
 * (six 503s: the first attempt and its five retries). The collection exists in Defender, so the engine
 * must record it: the provider ends the create with a partial failure carrying the action ID, and the
 * next `up` goes on waiting for that action instead of posting a second one.
 *
 * Regression: the failed wait was a plain error, the engine forgot the resource, and the next `up`
 * posted again (a second collection once the first had finished).
 *
 * Status reads go through the coalescing status reader: a single read is `getAction`, several
 * are one `listActions` query. Both routes get the six 503s, armed the moment the emulator answers
 * the POST (its request log), so every read after the POST meets them and nothing before it does.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { callsOf, emulatorStack, healthyFleet, healthyTemplate, startTestEmulator } from "pulumi-mde-harness";
import {
  assertNoSecrets,
  backendText,
  closeEmulatorApi,
  emulatorSecrets,
  errorText,
  expectFailure,
} from "../helpers/faults";
import { assertOneHeldActionPerDevice } from "../helpers/heldActions";

const TIME_SCALE = 120;
const DAY = 86_400;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

test("status reads fail after a successful POST: the action is kept in state, the next up posts nothing", async (t) => {
  const [device] = healthyFleet(await healthyTemplate(), 1);
  let armed = false;
  const em: Emulator = await startTestEmulator({
    timeScale: TIME_SCALE,
    lifecycle: LIFECYCLE,
    fleet: [device!],
    // Called as each request ends, before the emulator handles the next one.
    log: (line) => {
      if (armed || !/collectInvestigationPackage -> 201/.test(line)) return;
      armed = true;
      em.injectFault({ route: "getAction", kind: "status", status: 503, times: 6 });
      em.injectFault({ route: "listActions", kind: "status", status: 503, times: 6 });
    },
  });
  t.teardown(async () => {
    await closeEmulatorApi(em);
    await em.close();
  });
  const machineId = device!.id;
  const s = await emulatorStack(em, async () => {
    const c = expectFailure(
      new InvestigationPackageCollection("device-0", {
        machineId,
        comment: "IR-1101: status reads fail after the POST",
        waitForCompletion: true,
      }),
    );
    return { actionId: c.actionId };
  });
  t.teardown(() => s.dispose());

  const failure = await s.up().then(
    () => "",
    (e: unknown) => errorText(e),
  );

  const posts = callsOf(em, "collect");
  t.deepEqual(
    posts.map((p) => p.status),
    [201],
    "one POST, answered",
  );
  const post = posts[0]!;
  const faultedReads = [...callsOf(em, "getAction"), ...callsOf(em, "listActions")].filter(
    (c) => c.status === 503,
  );
  t.is(faultedReads.length, 6, "six status reads failed");
  t.true(
    faultedReads.every((c) => c.startMs >= post.endMs),
    "every failed read came after the POST",
  );
  const { resources } = await s.exportState();
  t.is(resources.length, 1, "the collection is recorded");
  const actionId = resources[0]?.id ?? "";
  t.regex(actionId, /^[0-9a-f-]{36}$/, "with its action ID");
  t.regex(
    failure,
    new RegExp(`Collection ${actionId} on device ${machineId} was started, but following it failed`),
  );
  t.regex(failure, /run `pulumi up` again to go on waiting/);

  // The collection finishes meanwhile: a second POST would now be accepted, so only state stops one.
  em.clearFaults();
  em.advanceTime(DAY);
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is(callsOf(em, "collect").length, 1, "the second up posted nothing");
  const [held] = await assertOneHeldActionPerDevice(t, em, s, [machineId]);
  t.is(held?.id, actionId, "the stack still holds the first action");
  const after = await s.exportState();
  t.like(after.resources[0]?.outputs, { actionId, status: "Succeeded", adopted: false });
  assertNoSecrets(t, { output: s.output(), state: backendText(s) }, emulatorSecrets(em));
});
