/**
 * A collection let go (removed from the program; nothing cancelled) and declared again unchanged finds its
 * old action by its marker: it takes it over instead of collecting again, sets `adopted: true`, and says
 * so in the engine's output with the action's ID and creation time, so old evidence never passes as new.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";

test("a take-over of an action this deployment did not post is announced and marked adopted", async (t) => {
  const em = await startTestEmulator({ timeScale: 120 });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1) as [string];
  const declared = async () => {
    const c = new InvestigationPackageCollection("ws", { machineId, comment: "IR-4711: alert 1234" });
    return { id: c.id, adopted: c.adopted, created: c.creationDateTimeUtc };
  };
  const s = await emulatorStack(em, declared);
  t.teardown(() => s.dispose());
  const first = await s.up();
  t.false(first.outputs.adopted?.value, "the first up posted it");
  t.notRegex(s.output(), /took over action/);

  s.stack.workspace.program = async () => ({});
  await s.up();
  s.stack.workspace.program = declared;
  const before = s.output().length;
  const again = await s.up();
  const id = first.outputs.id?.value as string;
  t.is(again.outputs.id?.value, id, "the same action");
  t.true(again.outputs.adopted?.value, "marked adopted");
  const printed = s.output().slice(before);
  t.regex(
    printed,
    new RegExp(`took over action ${id} on device ${machineId}, created ${first.outputs.created?.value}`),
  );
  t.is(callsOf(em, "collect").length, 1, "nothing new was posted");
});
