/**
 * Transient failures of the API: 500/503 bursts and connection resets on the collect POST and on
 * the status GETs, and "commit then drop" (Defender creates the action, the answer is lost). The
 * deployment succeeds, and every device ends with exactly one collection: the one in state.
 */
import test, { type ExecutionContext } from "ava";
import type { Emulator } from "pulumi-mde-emulator";
import type { TestStack } from "pulumi-mde-harness";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertNoSecrets,
  backendText,
  closeEmulatorApi,
  collectionsOn,
  emulatorSecrets,
} from "../helpers/faults";
import { sweepProgram } from "../helpers/sweep";

const TIME_SCALE = 120;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

const program = (ids: string[], waitForCompletion: boolean) =>
  sweepProgram(ids, { waitForCompletion, comment: (i) => `IR-2000: sweep device ${i}` });

/** Asserts one collection per device, and that it is the one the stack holds. */
async function assertOneActionPerDevice(t: ExecutionContext, em: Emulator, s: TestStack, ids: string[]) {
  const state = await s.exportState();
  t.is(state.resources.length, ids.length, "every collection is in state");
  for (const [i, machineId] of ids.entries()) {
    const actions = await collectionsOn(em, machineId);
    t.is(actions.length, 1, `exactly one collection on device ${i}`);
    const resource = state.resources.find((r) => r.urn.endsWith(`::device-${i}`));
    t.is(resource?.id, actions[0]?.id, `device ${i}: the stack holds that collection`);
  }
  await closeEmulatorApi(em);
}

test("500/503 bursts and resets on the POST and the GETs: every collection created once, all succeed", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(() => em.close());
  const ids = healthyIds(em, 4);
  // POST: a certain refusal (503), a doubtful outcome (500), a reset before the request is handled,
  // and a burst of two 503s.
  em.injectFault({ route: "collect", kind: "status", status: 503 });
  em.injectFault({ route: "collect", kind: "status", status: 500 });
  em.injectFault({ route: "collect", kind: "reset" });
  em.injectFault({ route: "collect", kind: "status", status: 503, times: 2 });
  // The look-up for earlier attempts fails once too.
  em.injectFault({ route: "listActions", kind: "status", status: 500 });
  // The reads after it (the look-ups after a doubtful outcome, the coalesced status polls of
  // waitForCompletion): a burst of 5xx and resets.
  em.injectFault({ route: "listActions", kind: "status", status: 503, times: 2, skip: 1 });
  em.injectFault({ route: "listActions", kind: "reset" });
  em.injectFault({ route: "listActions", kind: "status", status: 500, times: 2 });
  const s = await emulatorStack(em, program(ids, true));
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const posts = callsOf(em, "collect");
  t.deepEqual(
    posts.filter((p) => p.status !== 201).map((p) => p.status),
    [503, 500, 0, 503, 503],
    "every injected POST failure happened",
  );
  t.is(posts.filter((p) => p.status === 201).length, ids.length, "one created action per resource");
  t.true(callsOf(em, "listActions").filter((c) => c.status !== 200).length >= 6, "the read faults happened");
  await assertOneActionPerDevice(t, em, s, ids);
  const state = await s.exportState();
  t.true(
    state.resources.every((r) => r.outputs?.status === "Succeeded"),
    "every collection was followed to Succeeded",
  );
  assertNoSecrets(t, { output: s.output(), state: backendText(s) }, emulatorSecrets(em));
});

test("commit then drop, on the first and a later resource: the created action is found and kept, no second one", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(() => em.close());
  const ids = healthyIds(em, 4);
  // The first POST and the third are handled (the action exists), then the answer is lost.
  em.injectFault({ route: "collect", kind: "commitThenDrop" });
  em.injectFault({ route: "collect", kind: "commitThenDrop", skip: 1 });
  const s = await emulatorStack(em, program(ids, false));
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const posts = callsOf(em, "collect");
  t.is(posts.filter((p) => p.status === 0).length, 2, "two answers were lost");
  t.is(posts.length, ids.length, "no POST was repeated after a lost answer: the action was looked up");
  t.true(callsOf(em, "listActions").length >= 2, "each lost answer was followed by a look-up");
  await assertOneActionPerDevice(t, em, s, ids);

  // The recovered collections are ordinary: not marked as adopted, and a second up changes nothing.
  const state = await s.exportState();
  t.true(state.resources.every((r) => r.outputs?.adopted === false));
  const again = await s.up();
  t.is(again.summary.resourceChanges?.same, ids.length + 1);
  t.is(callsOf(em, "collect").length, ids.length, "no POST on the second up");
});
