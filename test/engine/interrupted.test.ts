/**
 * A deployment killed mid-way (SIGKILL of the `pulumi` process while creates are in flight), then
 * the recovery a user runs. Proves: the provider stops with its engine (no collection is started
 * after the kill), the next run starts no second collection and loses no action, and the checkpoint
 * ends clean. The recovery steps are those of docs/reliability.md.
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
  errorText,
  failureOf,
  killAll,
  pendingOperations,
  pulumiCli,
  pulumiProcess,
  refreshClearingPendingCreates,
  waitForExit,
  waitUntil,
} from "../helpers/faults";
import { sweepProgram } from "../helpers/sweep";

const TIME_SCALE = 60;
const DAY = 86_400;
// Devices pick work up after a day (emulated): nothing completes until the test says so.
const LIFECYCLE = { pendingSeconds: DAY, inProgressSeconds: 60 };

const comment = (i: number) => `IR-5000: interrupted sweep, device ${i}`;

const program = (ids: string[], adopt: Record<number, string> = {}) =>
  sweepProgram(ids, { waitForCompletion: true, comment, adopt });

/** Runs `up`, waits until `created` collections exist (and `settleMs` more), then SIGKILLs the CLI. */
async function upKilledAfter(
  t: ExecutionContext,
  em: Emulator,
  s: TestStack,
  created: number,
  settleMs: number,
): Promise<{ killedAtMs: number; providerExited: boolean; failure: string }> {
  const running = s.up().then(
    () => "",
    (e: unknown) => errorText(e),
  );
  await waitUntil(
    () => callsOf(em, "collect").filter((c) => c.status === 201).length >= created,
    60_000,
    `${created} collections`,
  );
  await sleep(settleMs);
  const found = pulumiProcess(s, "up");
  if (!found) throw new Error("the pulumi up process was not found");
  const pids = found.tree.map((p) => p.pid);
  t.teardown(() => killAll(pids));
  t.true(
    found.tree.some((p) => p.cmdline.includes("dynamic-provider")),
    "the dynamic provider runs under the CLI",
  );
  process.kill(found.cli.pid, "SIGKILL");
  const killedAtMs = Date.now();
  const failure = await running;
  // Nothing kills the provider but its own watch on the engine.
  const providerExited = await waitForExit(pids, 20_000);
  return { killedAtMs, providerExited, failure };
}

/** Each device has exactly one collection, and the stack holds it. */
async function assertOneHeldActionPerDevice(t: ExecutionContext, em: Emulator, s: TestStack, ids: string[]) {
  const state = await s.exportState();
  t.is(state.resources.length, ids.length, "every collection is in state");
  for (const [i, machineId] of ids.entries()) {
    const actions = await collectionsOn(em, machineId);
    t.is(actions.length, 1, `exactly one collection on device ${i}`);
    const held = state.resources.find((r) => r.urn.endsWith(`::device-${i}`));
    t.is(held?.id, actions[0]?.id, `device ${i}: the stack holds it`);
  }
}

test("killed mid-deployment, re-run soon: cancel, up, refresh --clear-pending-creates: no duplicate, nothing lost", async (t) => {
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
  t.regex(killed.failure, /killed with SIGKILL/);
  t.true(killed.providerExited, "the provider process ended with its engine");
  // Let the slow POST's latency pass: whatever the emulator does with it is now on record.
  await sleep(6000);
  const postsAfterKill = callsOf(em, "collect").filter((c) => c.startMs > killed.killedAtMs);
  t.deepEqual(postsAfterKill, [], "no collection was started after the engine died");
  const createdBeforeRecovery = callsOf(em, "collect").filter((c) => c.status === 201).length;
  t.is(createdBeforeRecovery, 2, "two collections exist; the engine never saw them finish");
  const pending = await pendingOperations(s);
  t.is(pending.filter((p) => p.type === "creating").length, 4, "four pending creates in the checkpoint");
  t.deepEqual((await s.exportState()).resources, [], "nothing recorded as created");

  // Step 1: the dead run still holds the stack's lock.
  const locked = await failureOf(t, s.up());
  t.regex(locked, /the stack is currently locked by 1 lock\(s\).*`pulumi cancel`/s);
  await s.stack.cancel();

  // Step 2: up again. The devices still collecting refuse a second collection; the provider adopts
  // the running one. Once every POST is answered, let the devices finish.
  const posted = callsOf(em, "collect").length;
  const recovering = s.up();
  await waitUntil(() => callsOf(em, "collect").length >= posted + ids.length, 60_000, "the recovery POSTs");
  em.advanceTime(2 * DAY);
  const up = await recovering;
  t.is(up.summary.result, "succeeded");
  t.regex(s.output(), /Attempting to deploy or update resources with 4 pending operations/);
  const recoveryPosts = callsOf(em, "collect").slice(posted);
  t.deepEqual(
    recoveryPosts.map((p) => p.status).sort(),
    [201, 201, 400, 400],
    "two new collections, two refused as already running",
  );
  await assertOneHeldActionPerDevice(t, em, s, ids);
  const state = await s.exportState();
  t.is(
    state.resources.filter((r) => r.outputs?.adopted === true).length,
    2,
    "the interrupted two were adopted",
  );
  t.true(state.resources.every((r) => r.outputs?.status === "Succeeded"));

  // Step 3: clear the pending creates the engine keeps until told otherwise.
  t.is((await pendingOperations(s)).length, 4, "the engine keeps the pending creates after a successful up");
  await refreshClearingPendingCreates(s);
  t.deepEqual(await pendingOperations(s), [], "the checkpoint is clean");
  t.is((await s.exportState()).resources.length, ids.length, "and still holds every collection");

  // A final up changes nothing.
  const before = callsOf(em, "collect").length;
  const final = await s.up();
  t.is(final.summary.resourceChanges?.same, ids.length + 1);
  t.is(callsOf(em, "collect").length, before, "no POST");
  assertNoSecrets(t, { output: s.output(), state: backendText(s) }, emulatorSecrets(em));
});

test("killed, and the collections finished before the re-run: adoptActionId keeps them, no second collection", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(async () => {
    await closeEmulatorApi(em);
    await em.close();
  });
  const ids = healthyIds(em, 2);
  const adopt: Record<number, string> = {};
  const s = await emulatorStack(em, program(ids, adopt));
  t.teardown(() => s.dispose());

  const killed = await upKilledAfter(t, em, s, 2, 300);
  t.true(killed.providerExited, "the provider process ended with its engine");
  // The devices finish their collections before anyone looks at the stack again.
  em.advanceTime(2 * DAY);
  const pending = await pendingOperations(s);
  t.is(pending.length, 2);
  await s.stack.cancel();

  // A plain up would start a second collection: the finished ones no longer block the device.
  // Instead, find each pending create's collection (its device and comment) and declare it.
  for (const [i, machineId] of ids.entries()) {
    const found = (await collectionsOn(em, machineId)).filter((a) => a.requestorComment === comment(i));
    t.is(found.length, 1);
    t.is(found[0]?.status, "Succeeded");
    adopt[i] = found[0]!.id;
  }
  // `refresh --import-pending-creates` is no way out for dynamic resources on this engine: the
  // pending create is dropped and nothing is imported.
  const imported = await pulumiCli(s, [
    "refresh",
    "--yes",
    "--skip-preview",
    "--import-pending-creates",
    pending[0]!.resource.urn,
    "--import-pending-creates",
    adopt[Number(pending[0]!.resource.urn.split("device-")[1])]!,
  ]);
  t.is(imported.code, 0);
  t.is((await pendingOperations(s)).length, 1, "the imported pending create is gone");
  t.deepEqual((await s.exportState()).resources, [], "and nothing was imported");

  const posted = callsOf(em, "collect").length;
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is(callsOf(em, "collect").length, posted, "no POST: both collections were adopted");
  await assertOneHeldActionPerDevice(t, em, s, ids);
  const state = await s.exportState();
  t.true(state.resources.every((r) => r.outputs?.adopted === true && r.outputs?.status === "Succeeded"));

  await refreshClearingPendingCreates(s);
  t.deepEqual(await pendingOperations(s), []);
  t.is((await s.exportState()).resources.length, ids.length);
});
