/**
 * A collection whose wait failed stays in state (the provider's partial-failure error records its
 * action ID); that resource must then be as manageable as any other: `pulumi refresh`, a second
 * `up` and `pulumi destroy` work on it. Three ways the wait fails: the device reports Failed, the
 * device never picks the action up (TimeOut), and completionTimeoutInMinutes passes first.
 *
 * Regression: the partial-failure error's properties lacked `__provider`, so every later read and
 * delete of the resource failed with `code must be a string, not undefined`, and it was stuck.
 */
import test, { type ExecutionContext } from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { DeviceBehavior, Emulator } from "pulumi-mde-emulator";
import {
  callsOf,
  emulatorStack,
  healthyFleet,
  healthyTemplate,
  startTestEmulator,
  type TestStack,
} from "pulumi-mde-harness";
import { assertNoSecrets, backendText, emulatorSecrets, errorText, expectFailure } from "../helpers/faults";

// One emulated minute per half real second, for the emulator and the provider's polling alike.
const TIME_SCALE = 120;
const STUCK = /code must be a string|Cannot read properties of undefined/;

interface Outcome {
  /** The device's emulated behaviour. */
  behavior: DeviceBehavior;
  lifecycle: { pendingSeconds: number; inProgressSeconds: number; offlineTimeoutSeconds: number };
  completionTimeoutInMinutes: number;
  /** What the failed up says. */
  failure: (actionId: string, machineId: string) => RegExp;
  /** Emulated seconds to move the clock after the failure (the collection finishes meanwhile). */
  advanceSeconds?: number;
  /** The action's status the refresh reads. */
  statusAfterRefresh: string;
}

const OUTCOMES: Record<string, Outcome> = {
  "the device reports Failed": {
    behavior: { collectionOutcome: "Failed" },
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60, offlineTimeoutSeconds: 300 },
    completionTimeoutInMinutes: 60,
    failure: (id, machine) => new RegExp(`Collection ${id} on device ${machine} ended Failed`),
    statusAfterRefresh: "Failed",
  },
  "the device never picks it up (TimeOut)": {
    behavior: { offline: true },
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60, offlineTimeoutSeconds: 120 },
    completionTimeoutInMinutes: 60,
    failure: (id, machine) => new RegExp(`Collection ${id} on device ${machine} ended TimeOut`),
    statusAfterRefresh: "TimeOut",
  },
  "completionTimeoutInMinutes passes first": {
    behavior: {},
    // Ten emulated minutes to pick up and ten to run: still Pending when the one-minute wait ends.
    lifecycle: { pendingSeconds: 600, inProgressSeconds: 600, offlineTimeoutSeconds: 86_400 },
    completionTimeoutInMinutes: 1,
    failure: (id, machine) =>
      new RegExp(`Collection ${id} on device ${machine} is still (Pending|InProgress) after 1 minutes`),
    advanceSeconds: 1_300,
    statusAfterRefresh: "Succeeded",
  },
};

/** An emulator with one device behaving as `outcome` says, and a stack collecting from it with a wait. */
async function failedWait(
  t: ExecutionContext,
  outcome: Outcome,
): Promise<{ em: Emulator; s: TestStack; machineId: string; actionId: string }> {
  const [device] = healthyFleet(await healthyTemplate(), 1);
  device!.behavior = { ...device!.behavior, ...outcome.behavior };
  const em = await startTestEmulator({
    timeScale: TIME_SCALE,
    lifecycle: outcome.lifecycle,
    fleet: [device!],
  });
  t.teardown(() => em.close());
  const machineId = device!.id;
  const s = await emulatorStack(em, async () => {
    const c = expectFailure(
      new InvestigationPackageCollection("ws-042", {
        machineId,
        comment: "IR-4711: collect forensics after alert 1234",
        waitForCompletion: true,
        completionTimeoutInMinutes: outcome.completionTimeoutInMinutes,
      }),
    );
    return { status: c.status };
  });
  t.teardown(() => s.dispose());

  const failure = await s.up().then(
    () => "",
    (e: unknown) => errorText(e),
  );
  const { resources } = await s.exportState();
  const actionId = resources[0]?.id ?? "";
  t.truthy(actionId, "the collection is kept in state with its action ID");
  t.not(failure, "", "the up fails");
  t.regex(failure, outcome.failure(actionId, machineId));
  t.is(callsOf(em, "collect").length, 1);
  return { em, s, machineId, actionId };
}

/** Runs an operation; resolves with its error text, or "" when it succeeded. */
function attempt(op: Promise<unknown>): Promise<string> {
  return op.then(
    () => "",
    (e: unknown) => errorText(e),
  );
}

for (const [name, outcome] of Object.entries(OUTCOMES)) {
  test(`${name}: refresh, a second up and destroy work on the collection kept in state`, async (t) => {
    const { em, s, machineId, actionId } = await failedWait(t, outcome);
    if (outcome.advanceSeconds) em.advanceTime(outcome.advanceSeconds);

    const refreshed = await attempt(s.refresh());
    t.notRegex(refreshed, STUCK, "refresh can read the resource");
    t.is(refreshed, "", "refresh succeeds");
    const state = await s.exportState();
    t.is(state.resources.length, 1);
    t.like(state.resources[0], { id: actionId });
    t.like(state.resources[0]?.outputs, { actionId, machineId, status: outcome.statusAfterRefresh });

    // The second up either accepts the final state or reports the same outcome again; never stuck.
    const second = await attempt(s.up());
    t.notRegex(second, STUCK, "a second up can diff and update the resource");
    if (outcome.statusAfterRefresh === "Succeeded") t.is(second, "", "the finished collection is accepted");
    else if (second !== "") t.regex(second, outcome.failure(actionId, machineId));
    t.is(callsOf(em, "collect").length, 1, "no second collection");

    const before = em.calls().length;
    const destroyed = await attempt(s.destroy());
    t.notRegex(destroyed, STUCK, "destroy can delete the resource");
    t.is(destroyed, "", "destroy succeeds");
    t.deepEqual((await s.exportState()).resources, [], "nothing left in state");
    t.deepEqual(
      em
        .calls()
        .slice(before)
        .map((c) => c.route),
      [],
      "destroy calls nothing (no cancelOnDelete)",
    );
    assertNoSecrets(t, { output: s.output(), state: backendText(s) }, emulatorSecrets(em));
  });

  test(`${name}: destroy right after the failed up removes the collection from state`, async (t) => {
    const { em, s } = await failedWait(t, outcome);
    const destroyed = await attempt(s.destroy());
    t.notRegex(destroyed, STUCK, "destroy can delete the resource");
    t.is(destroyed, "", "destroy succeeds");
    t.deepEqual((await s.exportState()).resources, [], "nothing left in state");
    t.is(callsOf(em, "collect").length, 1);
  });
}
