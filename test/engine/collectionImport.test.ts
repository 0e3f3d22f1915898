/**
 * Bringing an action that already exists (started from the portal, another tool or a lost stack)
 * into state with `adoptActionId`: the `import` resource option cannot do it for dynamic resources
 * (the engine's dynamic-provider host has no provider to read with, pulumi/pulumi#16175).
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";

test("adoptActionId takes over an existing action: no new collection, outputs read from Defender", async (t) => {
  const em = await startTestEmulator({ timeScale: 60 });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const comment = "IR-4711: started from the portal";

  // Someone starts the collection outside this stack.
  const first = await emulatorStack(em, async () => {
    const c = new InvestigationPackageCollection("portal", { machineId: machineId!, comment });
    return { actionId: c.actionId };
  });
  t.teardown(() => first.dispose());
  const actionId = (await first.up()).outputs.actionId?.value as string;
  t.is(callsOf(em, "collect").length, 1);

  const s = await emulatorStack(em, async () => {
    const c = new InvestigationPackageCollection("ws-042", {
      machineId: machineId!,
      comment,
      adoptActionId: actionId,
    });
    return { status: c.status, requestorComment: c.requestorComment, adopted: c.adopted };
  });
  t.teardown(() => s.dispose());
  const up = await s.up();
  t.is(up.summary.resourceChanges?.create, 2);
  t.is(callsOf(em, "collect").length, 1, "no second collection is started");
  // The comment Defender recorded is the first stack's, with that stack's marker.
  t.regex(
    String(up.outputs.requestorComment?.value),
    new RegExp(`^${comment} \\[pulumi-mde:[0-9a-f]{10}\\]$`),
  );
  t.is(up.outputs.adopted?.value, true);
  const { resources } = await s.exportState();
  t.is(resources[0]?.id, actionId);
  t.like(resources[0]?.outputs, { machineId, actionId });

  // After that, the resource behaves like any other: an unchanged program does nothing.
  await s.up();
  t.is(callsOf(em, "collect").length, 1);
});

test("adoptActionId naming another device's action fails with both IDs named and nothing recorded", async (t) => {
  const em = await startTestEmulator({ timeScale: 60 });
  t.teardown(() => em.close());
  const [deviceA, deviceB] = healthyIds(em, 2);
  const first = await emulatorStack(em, async () => {
    const c = new InvestigationPackageCollection("a", { machineId: deviceA!, comment: "IR-1: device A" });
    return { actionId: c.actionId };
  });
  t.teardown(() => first.dispose());
  const actionId = (await first.up()).outputs.actionId?.value as string;

  const s = await emulatorStack(em, async () => {
    new InvestigationPackageCollection("b", {
      machineId: deviceB!,
      comment: "IR-1",
      adoptActionId: actionId,
    });
  });
  t.teardown(() => s.dispose());
  const error = await t.throwsAsync(s.up());
  t.regex(
    error?.message ?? "",
    new RegExp(`adoptActionId ${actionId} is a CollectInvestigationPackage action on device ${deviceA}`),
  );
  t.is(callsOf(em, "collect").length, 1, "nothing was posted for device B");
  t.deepEqual((await s.exportState()).resources, []);
});
