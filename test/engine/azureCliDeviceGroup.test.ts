/**
 * A responder signed in with `az login` who has the investigation role but not the device's device
 * group: the collection is refused (403) with the delegated message (role, device group, delegated
 * permission), not the application's. Nothing is collected or stored, and no token appears anywhere.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, createTestStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, backendText, emulatorSecrets, failureOf, JWT } from "../helpers/faults";
import { azureCliConfig, installStandInAz } from "../helpers/standInAz";

test("user outside the device's group: the delegated 403 names device-group access, unlike the app's", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const device = em.fleet.find((d) => d.id === machineId)!;
  const otherGroups = [...new Set(em.fleet.map((d) => d.rbacGroupId))].filter(
    (g) => g !== device.rbacGroupId,
  );
  const outsider = em.addUser({
    upn: "branch-responder@contoso.com",
    rolePermissions: ["View data", "Alerts investigation"],
    rbacGroupIds: otherGroups.length > 0 ? otherGroups : [device.rbacGroupId + 1],
  });
  const az = installStandInAz(em, { upn: outsider.upn, password: outsider.password });
  t.teardown(() => az.dispose());
  const s = await createTestStack({
    program: async () => {
      new InvestigationPackageCollection("ws-042", {
        machineId: machineId!,
        comment: "IR-5152: group check",
      });
    },
    config: azureCliConfig(em),
    env: az.stackEnv(),
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.up());
  t.regex(failure, /You are signed in as [^,]*, and Defender does not let this user do it/);
  t.regex(failure, new RegExp(`\\(2\\) access to the device group of device '${machineId}'`));
  t.regex(failure, /"Alerts investigation"/);
  t.regex(failure, /is not among the user's device groups/, "the server's reason is quoted");
  t.regex(failure, /\[MDE_FORBIDDEN\]/);
  t.notRegex(failure, /The application is not allowed/, "not the application's message");
  t.notRegex(failure, /admin consent/);

  t.true(
    callsOf(em, "collect").every((c) => c.status === 403),
    "no collection created",
  );
  t.deepEqual((await s.exportState()).resources, [], "nothing in state");
  const texts = { error: failure, output: s.output(), state: backendText(s) };
  assertNoSecrets(t, texts, emulatorSecrets(em, { "user password": [outsider.password] }));
  for (const [name, text] of Object.entries(texts)) t.notRegex(text, JWT, `no JWT in ${name}`);
});
