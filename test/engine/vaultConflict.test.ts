/**
 * A blob of other content at the package's name is never overwritten: the download fails with
 * MDE_EVIDENCE_CONFLICT before any link is fetched, and the blob keeps its bytes.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { EVIDENCE_LIFECYCLE, EVIDENCE_TIME_SCALE } from "../helpers/evidence";
import { failureOf } from "../helpers/faults";
import { startVault, VAULT_CONTAINER, vaultProgram } from "../helpers/vault";

test("another blob at the target name stays untouched and the download says why", async (t) => {
  const em = await startTestEmulator({ timeScale: EVIDENCE_TIME_SCALE, lifecycle: EVIDENCE_LIFECYCLE });
  t.teardown(() => em.close());
  const { azurite, containerUrl } = await startVault(t, em);
  const ids = healthyIds(em, 1);
  const s = await emulatorStack(em, vaultProgram(ids, containerUrl, { withDownloads: false }));
  t.teardown(() => s.dispose());
  const collected = await s.up();
  const actionId = (collected.outputs.ids?.value as string[] | undefined)?.[0] ?? "";
  const device = em.fleet.find((d) => d.id === ids[0]);
  const name = `${(device?.computerDnsName ?? "").toLowerCase()}-${actionId}.zip`;
  const planted = Buffer.from("not the package");
  await azurite.putBlob(VAULT_CONTAINER, name, planted);

  s.stack.workspace.program = vaultProgram(ids, containerUrl);
  const error = await failureOf(t, s.up());
  t.regex(error, /MDE_EVIDENCE_CONFLICT/);
  t.regex(error, /left untouched/);
  t.is(callsOf(em, "getPackageUri").length, 0, "no link was fetched");
  const after = await azurite.readBlob(VAULT_CONTAINER, name);
  t.deepEqual(after.bytes, planted, "the planted blob keeps its bytes");
  t.is((await azurite.listBlobs(VAULT_CONTAINER)).length, 1, "no manifest either");
});
