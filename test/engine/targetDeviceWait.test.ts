/**
 * A collection named by computer name for a lab VM that onboards after the deployment starts: create
 * waits for it (`deviceWaitInMinutes`), collects once, and the resolved device ID is the `machineId`
 * output. A refresh and another `up` change nothing (the known machineId is no change); another name
 * replaces the collection.
 */
import { setTimeout as sleep } from "node:timers/promises";
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import { callsOf, emulatorStack, startTestEmulator } from "pulumi-mde-harness";

// One emulated minute per half real second: the VM onboards two seconds after create first looks.
const TIME_SCALE = 120;
const ONBOARD_AFTER_SECONDS = 240;

test("a device onboarding minutes later is waited for, collected once, and kept by refresh", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE });
  t.teardown(() => em.close());
  let computerDnsName = "LAB-VM-01.contoso.com";
  const s = await emulatorStack(em, async () => {
    const c = new InvestigationPackageCollection("lab-vm", {
      computerDnsName,
      comment: "IR-4711: lab VM after first boot",
      deviceWaitInMinutes: 15,
      requireActiveDevice: true,
    });
    return { machineId: c.machineId, computerDnsName: c.computerDnsName, actionId: c.actionId };
  });
  t.teardown(() => s.dispose());

  const lookups = () => callsOf(em, "listMachines").filter((c) => c.path.includes("lab-vm-01.contoso.com"));
  const deploying = s.up();
  // The VM boots once create has looked for it and found nothing; it shows up in Defender minutes later.
  for (const until = Date.now() + 60_000; lookups().length === 0 && Date.now() < until; ) await sleep(50);
  const vm = em.onboardDevice(
    { computerDnsName: "lab-vm-01.contoso.com", osPlatform: "Windows11" },
    { afterSeconds: ONBOARD_AFTER_SECONDS },
  );
  const onboardedAt = Date.now() + (ONBOARD_AFTER_SECONDS * 1000) / TIME_SCALE;
  const up = await deploying;
  t.is(up.summary.result, "succeeded");
  t.true(Date.now() >= onboardedAt, "it waited for the device");
  t.is(up.outputs.machineId?.value, vm.id, "the resolved device ID is the machineId output");
  t.is(up.outputs.computerDnsName?.value, "lab-vm-01.contoso.com");
  const posts = callsOf(em, "collect");
  t.is(posts.length, 1, "one POST");
  t.is(posts[0]?.path.split("/")[3], vm.id);
  t.true(lookups().length >= 2, `looked up again while waiting (${lookups().length} lookups)`);

  await s.refresh();
  const again = await s.up();
  t.deepEqual(again.summary.resourceChanges, { same: 2 }, "no change, no replacement after refresh");
  t.is(callsOf(em, "collect").length, 1, "no second POST");

  computerDnsName = FLEET_ROLES.healthy[1].computerDnsName;
  const replaced = await s.up();
  t.is(replaced.summary.resourceChanges?.replace, 1, "another name replaces");
  t.is(replaced.outputs.machineId?.value, FLEET_ROLES.healthy[1].id);
  t.is(callsOf(em, "collect").length, 2);
});
