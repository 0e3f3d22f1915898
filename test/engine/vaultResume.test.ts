/**
 * A transfer into a container cut mid-way still ends with exactly one correct blob: the rest is fetched
 * with a Range request and staged as further blocks; nothing half-written is ever visible.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { EVIDENCE_LIFECYCLE, EVIDENCE_TIME_SCALE } from "../helpers/evidence";
import { assertVault, leftovers, providerTempFolder, startVault, vaultProgram } from "../helpers/vault";

test("a cut transfer resumes into the same blob, committed once", async (t) => {
  const em = await startTestEmulator({
    timeScale: EVIDENCE_TIME_SCALE,
    lifecycle: EVIDENCE_LIFECYCLE,
    packagePaddingBytes: 6_000_000,
  });
  t.teardown(() => em.close());
  const { azurite, containerUrl } = await startVault(t, em);
  const tmp = providerTempFolder(t);
  const s = await emulatorStack(em, vaultProgram(healthyIds(em, 1), containerUrl), { env: { TMPDIR: tmp } });
  t.teardown(() => s.dispose());

  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: 5_000_000 });
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const [cut, rest] = callsOf(em, "download");
  t.like(cut, { errorCode: "cutAfterBytes" });
  t.is(rest?.status, 206, "the rest came as a partial answer");
  await assertVault(t, em, azurite, up.outputs.ids?.value as string[]);
  t.deepEqual(leftovers(tmp), []);
});
