/**
 * The runbook example (the root Pulumi.yaml's program) runs on the real engine: one collection
 * per device in config, waited for, and a revision bump collects again.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { runbook } from "../../examples/runbook/runbook";

test("the runbook collects once per configured device, and again on a new revision", async (t) => {
  const timeScale = 120;
  const em = await startTestEmulator({ timeScale, lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 } });
  t.teardown(() => em.close());
  const devices = healthyIds(em, 3);
  const s = await emulatorStack(em, async () => runbook(), {
    config: {
      "runbook:incident": { value: "IR-4711" },
      "runbook:reason": { value: "collect forensics after alert 1234" },
      "runbook:devices": { value: JSON.stringify(devices) },
    },
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  const collections = up.outputs.collections?.value as Record<string, { actionId: string; status: string }>;
  t.deepEqual(Object.keys(collections).sort(), [...devices].sort());
  for (const id of devices) t.is(collections[id]?.status, "Succeeded", `device ${id} yielded a package`);
  t.is(callsOf(em, "collect").length, 3);
  t.true(callsOf(em, "collect").every((c) => c.status === 201));

  await s.stack.setConfig("runbook:revision", { value: "2" });
  const again = await s.up();
  t.is(again.summary.resourceChanges?.replace, 3, "a new revision collects again from every device");
  t.is(callsOf(em, "collect").length, 6);
});
