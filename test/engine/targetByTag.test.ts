/**
 * A program collects from every device carrying an incident tag, one resource per device found by
 * `getMachines`: the read works at preview (nothing is posted), `up` collects once per device, and
 * after the tag set changes the next `up` adds only the new device.
 */
import test from "ava";
import { getMachines, InvestigationPackageCollection } from "pulumi-mde";
import { FLEET_ROLES, INCIDENT_TAG } from "pulumi-mde-emulator";
import { callsOf, emulatorStack, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets } from "../helpers/faults";

const TIME_SCALE = 120;

test("getMachines by tag drives one collection per tagged device; a newly tagged device is the only new POST", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE });
  t.teardown(() => em.close());
  const s = await emulatorStack(em, async () => {
    const { machines } = await getMachines({ tag: INCIDENT_TAG });
    for (const m of machines) {
      new InvestigationPackageCollection(m.computerDnsName ?? m.id, {
        machineId: m.id,
        comment: `IR-4711: devices tagged ${INCIDENT_TAG}`,
      });
    }
    return { ids: machines.map((m) => m.id), tags: machines.map((m) => m.machineTags) };
  });
  t.teardown(() => s.dispose());
  const incident = FLEET_ROLES.incident.devices.map((d) => d.id).sort();

  // A read: it runs at preview too, and nothing is posted.
  const preview = await s.preview();
  t.is(preview.changeSummary?.create, 4, "three collections planned, and the stack");
  t.is(callsOf(em, "collect").length, 0, "preview posts nothing");
  t.true(callsOf(em, "listMachines").length >= 1, "preview read the devices");

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.deepEqual([...((up.outputs.ids?.value ?? []) as string[])].sort(), incident);
  t.true(((up.outputs.tags?.value ?? []) as string[][]).every((tags) => tags.includes(INCIDENT_TAG)));
  const posts = callsOf(em, "collect");
  t.is(posts.length, 3, "one POST per tagged device");
  t.deepEqual(posts.map((c) => c.path.split("/")[3]).sort(), incident);
  const query = callsOf(em, "listMachines")[0]?.path ?? "";
  t.true(query.includes(`$filter=machineTags/any(tag: tag eq '${INCIDENT_TAG}')`), query);
  t.true(query.includes("$top=10000"), "paged by the largest page the API allows");

  // The incident widens: one more device is tagged.
  const added = FLEET_ROLES.healthy[0];
  const device = em.fleet.find((d) => d.id === added.id);
  em.setMachineTags(added.id, [...(device?.machineTags ?? []), INCIDENT_TAG]);
  const second = await s.up();
  t.is(second.summary.result, "succeeded");
  t.is(second.summary.resourceChanges?.create, 1, "only the new device is added");
  t.is(second.summary.resourceChanges?.same, 4, "the three collections and the stack are unchanged");
  const after = callsOf(em, "collect");
  t.is(after.length, 4, "one new POST");
  t.is(after[3]?.path.split("/")[3], added.id);
  t.is((await s.exportState()).resources.length, 4);
  assertNoSecrets(t, { output: s.output() }, emulatorSecrets(em));
});
