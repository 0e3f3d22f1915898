/**
 * Many tenants in one program: the same computer name in two customer tenants, each reached through its
 * own connection profile (one with a client secret, one signed in with the Azure CLI), resolves and
 * collects in its own tenant; a refresh reads each tenant; the profile's secret stays ciphertext in state
 * and never reaches the output.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { createTestStack, emulatorConfig, isHealthy, startTestEmulator } from "pulumi-mde-harness";
import { backendText } from "../helpers/faults";
import { installStandInAz } from "../helpers/standInAz";

test("one program, two tenants, the same device name: each collects in its own tenant", async (t) => {
  const em = await startTestEmulator({ timeScale: 120, tenants: 3 });
  t.teardown(() => em.close());
  const contoso = em.tenant(1);
  const fabrikam = em.tenant(2);
  const name = contoso.fleet.find(isHealthy)?.computerDnsName ?? "";
  const idIn = (fleet: typeof contoso.fleet) => fleet.find((d) => d.computerDnsName === name)?.id ?? "";
  t.not(idIn(contoso.fleet), idIn(fabrikam.fleet), "the same name is another device in each tenant");

  // fabrikam's responder signs in with the Azure CLI, in fabrikam's tenant.
  const az = installStandInAz(em, { upn: fabrikam.defaultUser.upn, password: fabrikam.defaultUser.password });
  t.teardown(() => az.dispose());
  const program = async () => {
    const collections = ["contoso", "fabrikam"].map(
      (profile) =>
        new InvestigationPackageCollection(`${profile}-ws`, {
          computerDnsName: name,
          comment: `IR-4711: ${profile} sweep`,
          profile,
          waitForCompletion: true,
        }),
    );
    return { machineIds: collections.map((c) => c.machineId), statuses: collections.map((c) => c.status) };
  };
  const s = await createTestStack({ program, config: emulatorConfig(em), env: az.stackEnv() });
  t.teardown(() => s.dispose());
  await s.stack.setAllConfig(
    {
      "mde:profiles.contoso.tenantId": { value: contoso.tenantId },
      "mde:profiles.contoso.clientId": { value: contoso.defaultApp.clientId },
      "mde:profiles.contoso.clientSecret": { value: contoso.defaultApp.clientSecret, secret: true },
      "mde:profiles.fabrikam.tenantId": { value: fabrikam.tenantId },
      "mde:profiles.fabrikam.useAzureCli": { value: "true" },
    },
    true,
  );

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.deepEqual(up.outputs.machineIds?.value, [idIn(contoso.fleet), idIn(fabrikam.fleet)]);
  t.deepEqual(up.outputs.statuses?.value, ["Succeeded", "Succeeded"]);
  const posts = (tenantId: string) => em.calls({ route: "collect", tenantId }).length;
  t.is(posts(contoso.tenantId), 1, "one collection in contoso");
  t.is(posts(fabrikam.tenantId), 1, "one collection in fabrikam");
  t.is(posts(em.tenant(0).tenantId), 0, "none in the stack's own tenant");
  t.true(
    az.invocations().some((args) => args.includes(fabrikam.tenantId)),
    "az signed in to fabrikam",
  );

  const refreshed = await s.refresh();
  t.is(refreshed.summary.resourceChanges?.update ?? 0, 0, "each read in its own tenant");
  const reads = (tenantId: string) =>
    em.calls({ tenantId }).filter((c) => c.route === "getAction" || c.route === "listActions").length;
  t.true(reads(contoso.tenantId) > 0 && reads(fabrikam.tenantId) > 0);

  const state = await s.exportState();
  const secret = contoso.defaultApp.clientSecret;
  for (const [where, text] of Object.entries({
    state: state.text,
    backend: backendText(s),
    output: s.output(),
  })) {
    t.false(text.includes(secret), `the profile's secret is not in the ${where}`);
  }
  await s.destroy();
});
