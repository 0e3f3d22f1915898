/**
 * Devices that cannot give a package: offline (TimeOut), failing, unsupported OS, unknown; and
 * devices already collecting (conflict). Each ends with one clear error per resource, the right
 * resources in state, and never a second collection.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertNoSecrets,
  backendText,
  closeEmulatorApi,
  collectionsOn,
  deviceNamed,
  emulatorSecrets,
  expectFailure,
  failureOf,
  startCollectionElsewhere,
  upContinuing,
} from "../helpers/faults";

// One emulated minute per half real second, for the emulator and the provider's polling alike.
const TIME_SCALE = 120;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120, offlineTimeoutSeconds: 300 };

test("offline and failing devices fail the update but stay in state; unsupported OS and unknown device leave nothing", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(() => em.close());
  const offline = deviceNamed(em, "kiosk-0016");
  const failing = deviceNamed(em, "lab-ws-0017");
  const unsupported = deviceNamed(em, "legacy-pc-0018");
  const unknown = "0123456789abcdef0123456789abcdef01234567";
  const s = await emulatorStack(em, async () => {
    for (const [name, machineId] of Object.entries({ offline, failing, unsupported, unknown })) {
      expectFailure(
        new InvestigationPackageCollection(name, {
          machineId,
          comment: `IR-4711: ${name} device`,
          waitForCompletion: true,
        }),
      );
    }
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, upContinuing(s));
  const state = await s.exportState();
  const byName = (name: string) => state.resources.find((r) => r.urn.endsWith(`::${name}`));

  const timedOut = byName("offline");
  t.truthy(timedOut?.id, "the offline device's collection is in state with its action ID");
  t.like(timedOut?.outputs, { status: "TimeOut", machineId: offline, actionId: timedOut?.id });
  t.regex(
    failure,
    new RegExp(
      `Collection ${timedOut?.id} on device ${offline} ended TimeOut: the device did not pick the action up in time; it is probably offline`,
    ),
  );

  const failed = byName("failing");
  t.truthy(failed?.id, "the failed collection is in state with its action ID");
  t.like(failed?.outputs, { status: "Failed", machineId: failing, actionId: failed?.id });
  t.regex(
    failure,
    new RegExp(`Collection ${failed?.id} on device ${failing} ended Failed: the device reported a failure`),
  );
  t.regex(failure, /It is kept in state with its action ID/);

  t.is(byName("unsupported"), undefined, "nothing in state for the unsupported device");
  t.regex(
    failure,
    new RegExp(
      `device '${unsupported}' does not support collecting an investigation package \\(400 OsPlatformNotSupported\\).*remove this device from the targets or update its sensor.*\\[MDE_OS_NOT_SUPPORTED\\]`,
    ),
  );
  t.is(byName("unknown"), undefined, "nothing in state for the unknown device");
  t.regex(failure, new RegExp(`Device '${unknown}' was not found \\(404\\)\\. Check the device id`));

  const posts = callsOf(em, "collect");
  t.is(posts.length, 4, "one POST per resource, no retry of a refusal");
  t.deepEqual(posts.map((p) => p.status).sort(), [201, 201, 400, 404]);

  // The next up reports the same outcome for the collections in state, and starts none of them again.
  const again = await failureOf(t, upContinuing(s));
  t.regex(again, new RegExp(`Collection ${timedOut?.id} on device ${offline} ended TimeOut`));
  t.regex(again, new RegExp(`Collection ${failed?.id} on device ${failing} ended Failed`));
  const postsAfter = callsOf(em, "collect").filter((p) => p.status === 201);
  t.is(postsAfter.length, 2, "no second collection on the offline or failing device");
  t.is((await collectionsOn(em, offline)).length, 1);
  t.is((await collectionsOn(em, failing)).length, 1);
  await closeEmulatorApi(em);

  assertNoSecrets(
    t,
    { errors: `${failure}\n${again}`, output: s.output(), state: backendText(s) },
    emulatorSecrets(em),
  );
});

test("a device already collecting: adopt takes the running action over, fail names it; no second action", async (t) => {
  // Real time: the running collections stay Pending or InProgress (six minutes) through the test.
  const em = await startTestEmulator();
  t.teardown(async () => {
    await closeEmulatorApi(em);
    await em.close();
  });
  const [adoptDevice, failDevice] = healthyIds(em, 2);
  const runningA = await startCollectionElsewhere(em, adoptDevice!, "analyst: triage of alert 1234");
  // The same comment as the resource below: what an interrupted earlier deployment leaves behind.
  const runningB = await startCollectionElsewhere(em, failDevice!, "IR-4711: collect after alert 1235");
  em.resetRecord();
  const s = await emulatorStack(em, async () => {
    const adopted = new InvestigationPackageCollection("adopt", {
      machineId: adoptDevice!,
      comment: "IR-4711: collect after alert 1234",
    });
    expectFailure(
      new InvestigationPackageCollection("fail", {
        machineId: failDevice!,
        comment: "IR-4711: collect after alert 1235",
        onConflict: "fail",
      }),
    );
    return { adoptedId: adopted.actionId, adopted: adopted.adopted };
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, upContinuing(s));
  const state = await s.exportState();
  t.is(state.resources.length, 1, "only the adopted collection is in state");
  t.like(state.resources[0], { id: runningA.id });
  t.like(state.resources[0]?.outputs, {
    adopted: true,
    actionId: runningA.id,
    requestorComment: "analyst: triage of alert 1234",
  });

  t.regex(failure, new RegExp(`A collection is already running on device '${failDevice}'`));
  t.regex(failure, new RegExp(`The running collection is action ${runningB.id} \\(Pending`));
  t.regex(failure, /onConflict is "fail": wait for it to finish, set onConflict: "adopt" to take it over/);
  t.regex(failure, new RegExp(`adoptActionId: "${runningB.id}"`), "the way to take it over is named");
  t.regex(
    failure,
    /It carries this resource's comment but not its marker: if an earlier deployment started it/,
  );

  const posts = callsOf(em, "collect");
  t.is(posts.length, 2, "one POST per resource");
  t.true(posts.every((p) => p.status === 400 && p.errorCode === "ActiveRequestAlreadyExists"));
  t.deepEqual(
    (await collectionsOn(em, adoptDevice!)).map((a) => a.id),
    [runningA.id],
  );
  t.deepEqual(
    (await collectionsOn(em, failDevice!)).map((a) => a.id),
    [runningB.id],
  );
  assertNoSecrets(t, { error: failure, output: s.output(), state: backendText(s) }, emulatorSecrets(em));
});
