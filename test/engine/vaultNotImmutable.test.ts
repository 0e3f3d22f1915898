/**
 * A container that nothing makes immutable is refused by default, before any package link is fetched and
 * with nothing written; `requireImmutableStorage: false` (test containers) lets the same program through.
 * Azurite reports no immutability (it implements none), which is exactly the refused case.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { EVIDENCE_LIFECYCLE, EVIDENCE_TIME_SCALE } from "../helpers/evidence";
import { failureOf } from "../helpers/faults";
import { startVault, VAULT_CONTAINER, vaultProgram } from "../helpers/vault";

test("an unprotected container is refused before any link; false lets a test container through", async (t) => {
  const em = await startTestEmulator({ timeScale: EVIDENCE_TIME_SCALE, lifecycle: EVIDENCE_LIFECYCLE });
  t.teardown(() => em.close());
  const { azurite, containerUrl } = await startVault(t, em);
  const ids = healthyIds(em, 1);
  // The default: requireImmutableStorage unset.
  const s = await emulatorStack(em, vaultProgram(ids, containerUrl, { requireImmutableStorage: undefined }));
  t.teardown(() => s.dispose());

  const error = await failureOf(t, s.up());
  t.regex(error, /MDE_EVIDENCE_NOT_IMMUTABLE/);
  t.regex(error, /no immutability policy, legal hold or version-level immutability/);
  t.regex(error, /requireImmutableStorage: false/);
  t.is(callsOf(em, "getPackageUri").length, 0, "no link was fetched");
  t.deepEqual(await azurite.listBlobs(VAULT_CONTAINER), [], "nothing was written");
  t.is(callsOf(em, "collect").length, 1, "the collection itself stands");

  s.stack.workspace.program = vaultProgram(ids, containerUrl, { requireImmutableStorage: false });
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is((await azurite.listBlobs(VAULT_CONTAINER)).length, 2, "package and manifest");
  t.is(callsOf(em, "collect").length, 1, "no second collection");
});
