/**
 * A deployment killed mid-way (SIGKILL of the `pulumi` process while creates are in flight), then
 * the recovery a user runs: `pulumi cancel` (the self-managed backend keeps the dead run's lock) and a
 * plain `pulumi up`. Proves: the provider stops with its engine (no collection is started after the
 * kill); the next run finds every collection the dead run started by the marker in its comment and
 * takes it over, posting only for the devices that have none; nothing is collected twice or lost. No
 * adoptActionId, no refresh. The steps are those of docs/reliability.md.
 *
 * Collections wait for completion and the devices stay Pending (a one-day pickup delay) until the
 * test moves emulated time, so the kill finds collections created but not yet recorded: the
 * engine's "pending creates".
 */
import { setTimeout as sleep } from "node:timers/promises";
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
  failureOf,
  pendingOperations,
  refreshClearingPendingCreates,
  waitUntil,
} from "../helpers/faults";
import { assertOneHeldActionPerDevice } from "../helpers/heldActions";
import { type KilledUp, upKilledWhen } from "../helpers/kill";
import { sweepProgram } from "../helpers/sweep";

const TIME_SCALE = 60;
const DAY = 86_400;
// Devices pick work up after a day (emulated): nothing completes until the test says so.
const LIFECYCLE = { pendingSeconds: DAY, inProgressSeconds: 60 };

const comment = (i: number) => `IR-5000: interrupted sweep, device ${i}`;

const program = (ids: string[]) => sweepProgram(ids, { waitForCompletion: true, comment });

/** Runs `up` and SIGKILLs the CLI once `created` collections exist (and `settleMs` more passed). */
async function upKilledAfter(
  t: ExecutionContext,
  em: Emulator,
  s: TestStack,
  created: number,
  settleMs: number,
): Promise<KilledUp> {
  const killed = await upKilledWhen(
    s,
    () => callsOf(em, "collect").filter((c) => c.status === 201).length >= created,
    { settleMs },
  );
  t.true(killed.killed, "the up was killed mid-way");
  t.true(killed.providerSeen, "the dynamic provider ran under the CLI");
  t.regex(killed.failure, /killed with SIGKILL/);
  // Nothing kills the provider but its own watch on the engine.
  t.true(killed.providerExited, "the provider process ended with its engine");
  return killed;
}

/** The device a collect call was for. */
const deviceOf = (path: string) => /\/machines\/([0-9a-f]+)\//i.exec(path)?.[1]?.toLowerCase();

/** `pulumi up` meets the dead run's lock; `pulumi cancel` releases it. */
async function cancelDeadRun(t: ExecutionContext, s: TestStack): Promise<void> {
  const locked = await failureOf(t, s.up());
  t.regex(locked, /the stack is currently locked by 1 lock\(s\).*`pulumi cancel`/s);
  await s.stack.cancel();
}

test("killed mid-deployment, then cancel and a plain up: no duplicate, nothing lost, posts only for devices without a collection", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(async () => {
    await closeEmulatorApi(em);
    await em.close();
  });
  const ids = healthyIds(em, 4);
  // The third POST is slow: it is in flight when the CLI dies; the fourth is still queued.
  em.injectFault({ route: "collect", kind: "latency", ms: 5000, skip: 2 });
  const s = await emulatorStack(em, program(ids));
  t.teardown(() => s.dispose());

  const killed = await upKilledAfter(t, em, s, 2, 300);
  // Let the slow POST's latency pass: whatever the emulator does with it is now on record.
  await sleep(6000);
  const postsAfterKill = callsOf(em, "collect").filter((c) => c.startMs > killed.killedAtMs);
  t.deepEqual(postsAfterKill, [], "no collection was started after the engine died");
  const startedBefore = new Set<string>();
  for (const machineId of ids) {
    if ((await collectionsOn(em, machineId)).length > 0) startedBefore.add(machineId);
  }
  t.is(startedBefore.size, 2, "two collections exist; the engine never saw them finish");
  const pending = await pendingOperations(s);
  t.is(pending.filter((p) => p.type === "creating").length, 4, "four pending creates in the checkpoint");
  t.deepEqual((await s.exportState()).resources, [], "nothing recorded as created");

  // Step 1: the dead run still holds the stack's lock.
  await cancelDeadRun(t, s);

  // Step 2: a plain up. The two started collections are found by their markers and taken over; the
  // other two devices get their first collection. Once both POSTs are answered, let devices finish.
  const posted = callsOf(em, "collect").length;
  const recovering = s.up();
  await waitUntil(
    () => callsOf(em, "collect").filter((c) => c.status === 201).length >= 4,
    60_000,
    "the recovery POSTs",
  );
  em.advanceTime(2 * DAY);
  const up = await recovering;
  t.is(up.summary.result, "succeeded");
  t.regex(s.output(), /Attempting to deploy or update resources with 4 pending operations/);
  const recoveryPosts = callsOf(em, "collect").slice(posted);
  t.deepEqual(
    recoveryPosts.map((p) => p.status),
    [201, 201],
    "two POSTs, both new collections",
  );
  t.deepEqual(
    recoveryPosts.map((p) => deviceOf(p.path)).sort(),
    ids.filter((id) => !startedBefore.has(id)).sort(),
    "posted only for the devices without a collection",
  );
  await assertOneHeldActionPerDevice(t, em, s, ids);
  const state = await s.exportState();
  t.true(
    state.resources.every((r) => r.outputs?.status === "Succeeded"),
    "the recovered collections are followed to the end",
  );
  // Those the killed run started are taken over, visibly: adopted, and named in the engine output.
  t.deepEqual(
    state.resources
      .filter((r) => r.outputs?.adopted === true)
      .map((r) => r.outputs?.machineId as string)
      .sort(),
    ids.filter((id) => startedBefore.has(id)).sort(),
    "exactly the collections the killed run started are marked adopted",
  );
  t.regex(s.output(), /took over action [0-9a-f-]{36} on device/);
  // The engine keeps the dead run's pending creates until told otherwise: bookkeeping only. Every
  // later up warns about them and changes nothing.
  t.is((await pendingOperations(s)).length, 4, "the engine keeps the pending creates");
  const before = callsOf(em, "collect").length;
  const again = await s.up();
  t.is(again.summary.resourceChanges?.same, ids.length + 1);
  t.is(callsOf(em, "collect").length, before, "no POST");
  t.is((await pendingOperations(s)).length, 4, "an up does not clear them");

  // Optional: silence the warning. A non-interactive `pulumi refresh` keeps pending creates;
  // `--clear-pending-creates` drops them, and state keeps every collection.
  await refreshClearingPendingCreates(s);
  t.deepEqual(await pendingOperations(s), [], "the checkpoint is clean");
  t.is((await s.exportState()).resources.length, ids.length, "and still holds every collection");
  const final = await s.up();
  t.is(final.summary.resourceChanges?.same, ids.length + 1);
  t.is(callsOf(em, "collect").length, before, "still no POST");
  t.notRegex(final.stdout, /pending operations/, "no more warning");
  assertNoSecrets(t, { output: s.output(), state: backendText(s) }, emulatorSecrets(em));
});

test("killed, and the collections finished before the re-run: cancel and a plain up post nothing and hold every action", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(async () => {
    await closeEmulatorApi(em);
    await em.close();
  });
  const ids = healthyIds(em, 2);
  const s = await emulatorStack(em, program(ids));
  t.teardown(() => s.dispose());

  const killed = await upKilledAfter(t, em, s, 2, 300);
  t.deepEqual(
    callsOf(em, "collect").filter((c) => c.startMs > killed.killedAtMs),
    [],
    "no collection was started after the engine died",
  );
  // The devices finish their collections before anyone looks at the stack again: they no longer
  // block a second collection, so only the markers stop one.
  em.advanceTime(2 * DAY);
  t.is((await pendingOperations(s)).length, 2);
  const started = await Promise.all(ids.map((id) => collectionsOn(em, id)));
  t.true(started.every((a) => a.length === 1 && a[0]?.status === "Succeeded"));

  await cancelDeadRun(t, s);
  const posted = callsOf(em, "collect").length;
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is(callsOf(em, "collect").length, posted, "no POST: both collections were found by their markers");
  const held = await assertOneHeldActionPerDevice(t, em, s, ids);
  t.deepEqual(
    held.map((a) => a.id),
    started.map((a) => a[0]?.id),
    "the stack holds the collections the killed run started",
  );
  const state = await s.exportState();
  // Taken over from the killed run: adopted, and said so in the engine output.
  t.true(state.resources.every((r) => r.outputs?.adopted === true && r.outputs?.status === "Succeeded"));
  t.regex(s.output(), /took over action [0-9a-f-]{36} on device/);
  t.is((await pendingOperations(s)).length, 2, "the engine keeps the pending creates (bookkeeping only)");
});
