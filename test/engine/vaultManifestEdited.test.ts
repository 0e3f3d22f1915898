/**
 * A manifest blob edited outside the stack shows as `manifestAltered` on refresh, and `up` reports the
 * conflict instead of overwriting it: evidence in a container is never replaced (on a write-once
 * container it could not have been edited at all).
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { EVIDENCE_LIFECYCLE, EVIDENCE_TIME_SCALE } from "../helpers/evidence";
import { failureOf } from "../helpers/faults";
import { startVault, VAULT_CONTAINER, vaultProgram } from "../helpers/vault";

test("an edited manifest blob is manifestAltered and never overwritten", async (t) => {
  const em = await startTestEmulator({ timeScale: EVIDENCE_TIME_SCALE, lifecycle: EVIDENCE_LIFECYCLE });
  t.teardown(() => em.close());
  const { azurite, containerUrl } = await startVault(t, em);
  const s = await emulatorStack(em, vaultProgram(healthyIds(em, 1), containerUrl));
  t.teardown(() => s.dispose());
  await s.up();

  const manifest = (await azurite.listBlobs(VAULT_CONTAINER)).find((b) => b.name.endsWith(".manifest.json"));
  const name = manifest?.name ?? "";
  const original = (await azurite.readBlob(VAULT_CONTAINER, name)).bytes.toString("utf8");
  const edited = original.replace(/"requestor": "[^"]*"/, '"requestor": "someone-else"');
  t.not(edited, original);
  await azurite.deleteBlob(VAULT_CONTAINER, name);
  await azurite.putBlob(VAULT_CONTAINER, name, Buffer.from(edited));

  await s.refresh();
  const status = (await s.exportState()).resources.find((r) =>
    r.type.endsWith("InvestigationPackageDownload"),
  )?.outputs?.fileStatus;
  t.is(status, "manifestAltered");
  const error = await failureOf(t, s.up());
  t.regex(error, /MDE_EVIDENCE_CONFLICT/);
  t.is((await azurite.readBlob(VAULT_CONTAINER, name)).bytes.toString("utf8"), edited, "left as found");
  t.is(callsOf(em, "getPackageUri").length, 1, "no second link");
});
