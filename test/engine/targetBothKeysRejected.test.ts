/**
 * A collection given both `machineId` and `computerDnsName` is rejected at preview, naming both and
 * what to do, before any request.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import { emulatorStack, startTestEmulator } from "pulumi-mde-harness";
import { failureOf, serviceCalls } from "../helpers/faults";

test("preview rejects machineId together with computerDnsName, and nothing is sent", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const [device] = FLEET_ROLES.healthy;
  const s = await emulatorStack(em, async () => {
    new InvestigationPackageCollection("both", {
      machineId: device.id,
      computerDnsName: device.computerDnsName,
      comment: "IR-4711",
    });
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.preview());
  t.regex(
    failure,
    /property computerDnsName value [\s\S]*? has a problem: give either machineId or computerDnsName, not both[^\n]*Remove one of them/,
  );
  t.deepEqual(serviceCalls(em), [], "no token request, no API call");
});
