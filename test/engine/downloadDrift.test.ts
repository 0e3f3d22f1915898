/**
 * Evidence drift on the real engine: a deleted or altered package shows as drift on `refresh`
 * (`fileStatus`), the next `up` downloads the same action again (no new collection), and `destroy` keeps
 * the files.
 */
import { appendFileSync, existsSync, rmSync } from "node:fs";
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertEvidence,
  EVIDENCE_LIFECYCLE,
  EVIDENCE_TIME_SCALE,
  evidenceFolder,
  evidenceProgram,
} from "../helpers/evidence";

test("a deleted or altered zip shows on refresh and up restores it; destroy keeps the files", async (t) => {
  const em = await startTestEmulator({ timeScale: EVIDENCE_TIME_SCALE, lifecycle: EVIDENCE_LIFECYCLE });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const s = await emulatorStack(em, evidenceProgram(healthyIds(em, 1), directory));
  t.teardown(() => s.dispose());

  const up = await s.up();
  const zip = (up.outputs.paths?.value as string[] | undefined)?.[0] ?? "";
  const actionIds = up.outputs.ids?.value as string[];
  const fileStatus = async () =>
    (await s.exportState()).resources.find((r) => r.type.endsWith("InvestigationPackageDownload"))?.outputs
      ?.fileStatus;

  // Unchanged: refresh finds it intact and up does nothing.
  const clean = await s.refresh();
  t.is(clean.summary.resourceChanges?.update ?? 0, 0);
  t.is(await fileStatus(), "intact");

  rmSync(zip);
  const refreshed = await s.refresh();
  t.is(refreshed.summary.resourceChanges?.update, 1, "refresh shows the drift");
  t.is(await fileStatus(), "missing");
  const restored = await s.up();
  t.is(restored.summary.resourceChanges?.update, 1, "up downloads it again");
  t.is(await fileStatus(), "intact");
  await assertEvidence(t, em, directory, actionIds);

  appendFileSync(zip, "tampered");
  await s.refresh();
  t.is(await fileStatus(), "altered");
  await s.up();
  t.is(await fileStatus(), "intact");
  await assertEvidence(t, em, directory, actionIds);

  t.is(callsOf(em, "collect").length, 1, "never a new collection");
  t.is(callsOf(em, "getPackageUri").length, 3, "one link per download");

  await s.destroy();
  t.true(existsSync(zip), "destroy keeps the evidence");
  await assertEvidence(t, em, directory, actionIds);
});
