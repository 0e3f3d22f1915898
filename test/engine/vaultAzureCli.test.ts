/**
 * A responder signed in with the Azure CLI (`mde:useAzureCli`) stores evidence in a container: the same
 * sign-in gives a storage token (`az account get-access-token --resource https://storage.azure.com`),
 * with its own cache beside the Defender token, and no token reaches state or output.
 */
import test from "ava";
import { STORAGE_AUDIENCE, TOKEN_AUDIENCE } from "pulumi-mde-emulator";
import { createTestStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { EVIDENCE_LIFECYCLE, EVIDENCE_TIME_SCALE } from "../helpers/evidence";
import { backendText } from "../helpers/faults";
import { azureCliConfig, installStandInAz } from "../helpers/standInAz";
import { assertVault, JWT_PATTERN, startVault, vaultProgram } from "../helpers/vault";

test("az sign-in reaches the container with a storage token of its own", async (t) => {
  const em = await startTestEmulator({ timeScale: EVIDENCE_TIME_SCALE, lifecycle: EVIDENCE_LIFECYCLE });
  t.teardown(() => em.close());
  const { azurite, containerUrl } = await startVault(t, em);
  const az = installStandInAz(em);
  t.teardown(() => az.dispose());
  const s = await createTestStack({
    program: vaultProgram(healthyIds(em, 2), containerUrl),
    config: azureCliConfig(em),
    env: az.stackEnv(),
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  await assertVault(t, em, azurite, up.outputs.ids?.value as string[]);
  const resources = az.invocations().map((args) => args[args.indexOf("--resource") + 1]);
  t.true(resources.includes(TOKEN_AUDIENCE), "a Defender token");
  t.true(resources.includes(STORAGE_AUDIENCE), "a storage token");
  t.is(resources.filter((r) => r === STORAGE_AUDIENCE).length, 1, "one storage token serves both downloads");
  const state = await s.exportState();
  for (const text of [state.text, backendText(s), s.output()]) t.false(JWT_PATTERN.test(text));
});
