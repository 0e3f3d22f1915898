/**
 * A misspelled profile fails at `pulumi preview` on the resource's `profile` input, naming the profiles
 * the stack has, and nothing is sent to any tenant.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { failureOf } from "../helpers/faults";

test("a misspelled profile fails at preview, naming the known ones", async (t) => {
  const em = await startTestEmulator({ tenants: 2 });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1) as [string];
  const s = await emulatorStack(em, async () => {
    new InvestigationPackageCollection("ws", { machineId, comment: "IR-4711", profile: "contosso" });
  });
  t.teardown(() => s.dispose());
  const other = em.tenant(1);
  await s.stack.setAllConfig(
    {
      "mde:profiles.contoso.tenantId": { value: other.tenantId },
      "mde:profiles.contoso.clientId": { value: other.defaultApp.clientId },
      "mde:profiles.contoso.clientSecret": { value: other.defaultApp.clientSecret, secret: true },
    },
    true,
  );
  const error = await failureOf(t, s.preview());
  t.regex(error, /profile/);
  t.regex(error, /mde:profiles\.contosso/);
  t.regex(error, /one of the profiles contoso/);
  t.regex(error, /MDE_/);
  t.deepEqual(
    em.calls().filter((c) => c.route !== "discovery" && c.route !== "token"),
    [],
    "nothing was sent",
  );
});
