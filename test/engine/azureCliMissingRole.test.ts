/**
 * A responder signed in with `az login` whose Defender role lacks "Alerts investigation": the collection
 * is refused (403), and the error says what a signed-in user needs (the role permission, device-group
 * access, the delegated permission), not the application's fix (API permission, admin consent). Nothing
 * is collected or stored, and no token appears anywhere.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, createTestStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, backendText, emulatorSecrets, failureOf, JWT } from "../helpers/faults";
import { azureCliConfig, installStandInAz } from "../helpers/standInAz";

test("user without the investigation role: the delegated 403 names the role, unlike the app's 403", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const reader = em.addUser({ upn: "reader@contoso.com", rolePermissions: ["View data"] });
  const az = installStandInAz(em, { upn: reader.upn, password: reader.password });
  t.teardown(() => az.dispose());
  const [machineId] = healthyIds(em, 1);
  const s = await createTestStack({
    program: async () => {
      new InvestigationPackageCollection("ws-042", { machineId: machineId!, comment: "IR-5151: role check" });
    },
    config: azureCliConfig(em),
    env: az.stackEnv(),
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.up());
  t.regex(failure, /You are signed in as [^,]*, and Defender does not let this user do it/);
  t.regex(failure, /collecting an investigation package was forbidden \(403\)/);
  t.regex(
    failure,
    /"Alerts investigation" \(a custom role may grant "Collect investigation package" instead\)/,
  );
  t.regex(failure, /access to the device group of device/);
  t.regex(failure, /does not have the required Defender role permission/, "the server's reason is quoted");
  t.regex(failure, /\[MDE_FORBIDDEN\]/);
  t.notRegex(failure, /The application is not allowed/, "not the application's message");
  t.notRegex(failure, /admin consent/);

  t.deepEqual(
    callsOf(em, "collect").map((c) => c.status),
    [403],
    "refused once, not retried",
  );
  t.deepEqual((await s.exportState()).resources, [], "nothing in state");
  t.true(az.invocations().length >= 1);
  const texts = { error: failure, output: s.output(), state: backendText(s) };
  assertNoSecrets(t, texts, emulatorSecrets(em, { "user password": [reader.password] }));
  for (const [name, text] of Object.entries(texts)) t.notRegex(text, JWT, `no JWT in ${name}`);
});
