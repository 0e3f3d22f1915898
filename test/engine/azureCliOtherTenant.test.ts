/**
 * A responder's Azure CLI hands out a token of another tenant than mde:tenantId (signed in elsewhere, or
 * a wrapper script): the token is refused before any call to Defender, with an error naming both
 * tenants and `az login --tenant`, and without quoting the token. Nothing is collected in either tenant.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { createTestStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertNoSecrets,
  backendText,
  emulatorSecrets,
  failureOf,
  JWT,
  serviceCalls,
} from "../helpers/faults";
import { azureCliConfig, installStandInAz } from "../helpers/standInAz";

const OTHER_TENANT = "99999999-8888-7777-6666-555555555555";

test("a token of another tenant from az is refused before any Defender call, naming both tenants", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const outsider = em.addUser({ upn: "responder@fabrikam.example", tenantId: OTHER_TENANT });
  const az = installStandInAz(em, { upn: outsider.upn, password: outsider.password, tenant: OTHER_TENANT });
  t.teardown(() => az.dispose());
  const [machineId] = healthyIds(em, 1);
  const s = await createTestStack({
    program: async () => {
      new InvestigationPackageCollection("ws-042", {
        machineId: machineId!,
        comment: "IR-5152: tenant check",
      });
    },
    config: azureCliConfig(em),
    env: az.stackEnv(),
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.up());
  const tenantId = em.defaultApp.tenantId;
  t.regex(failure, new RegExp(`token of tenant ${OTHER_TENANT}, but mde:tenantId is ${tenantId}`));
  t.regex(failure, new RegExp(`az login --tenant ${tenantId}`));
  t.regex(failure, /\[MDE_AUTH_FAILED\]/);
  t.true(az.invocations().length >= 1, "the CLI was asked");
  t.deepEqual(
    serviceCalls(em)
      .filter((c) => c.route !== "token")
      .map((c) => `${c.method} ${c.path}`),
    [],
    "no call reached the Defender API",
  );
  t.deepEqual((await s.exportState()).resources, [], "nothing in state");
  const texts = { error: failure, output: s.output(), state: backendText(s) };
  assertNoSecrets(t, texts, emulatorSecrets(em, { "user password": [outsider.password] }));
  for (const [name, text] of Object.entries(texts)) t.notRegex(text, JWT, `no JWT in ${name}`);
});
