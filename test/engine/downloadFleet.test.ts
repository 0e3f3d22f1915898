/**
 * Five downloads in one `pulumi up` on the real engine: every package lands with the bytes the emulator
 * served and a manifest beside it, the GetPackageUri budget (2/min) is kept with no 429, the links are
 * fetched without our bearer token, and no link reaches state or output.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertEvidence,
  EVIDENCE_LIFECYCLE,
  EVIDENCE_TIME_SCALE,
  evidenceFolder,
  evidenceProgram,
  linkHits,
  maxInWindow,
} from "../helpers/evidence";
import { backendText } from "../helpers/faults";

test("five downloads in one up: every zip as served, a manifest beside each, the link budget kept", async (t) => {
  const em = await startTestEmulator({
    timeScale: EVIDENCE_TIME_SCALE,
    lifecycle: EVIDENCE_LIFECYCLE,
    extraHealthyDevices: 5,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const s = await emulatorStack(em, evidenceProgram(healthyIds(em, 5), directory));
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is(up.summary.resourceChanges?.create, 11, "5 collections, 5 downloads and the stack");
  const actionIds = up.outputs.ids?.value as string[];
  t.is(new Set(actionIds).size, 5);
  await assertEvidence(t, em, directory, actionIds);
  t.deepEqual(up.outputs.statuses?.value, Array(5).fill("intact"));

  const links = callsOf(em, "getPackageUri");
  t.is(links.length, 5, "one link per package");
  t.true(
    maxInWindow(
      links.map((c) => c.startMs),
      60_000 / EVIDENCE_TIME_SCALE - 2,
    ) <= 2,
    "at most 2 GetPackageUri calls in any emulated minute",
  );
  const throttled = em.calls().filter((c) => c.status === 429);
  t.deepEqual(
    throttled.map((c) => c.route),
    [],
    "no 429 on any route",
  );
  const downloads = callsOf(em, "download");
  t.is(downloads.length, 5);
  t.true(
    downloads.every((c) => !c.authorizationHeader),
    "no Authorization header on a package link",
  );

  const state = await s.exportState();
  const stored = state.resources.filter((r) => r.type.endsWith("InvestigationPackageDownload"));
  t.is(stored.length, 5);
  for (const r of stored) {
    t.is(r.id, r.outputs?.path as string, "the resource ID is the package path");
    t.regex(String(r.outputs?.sha256), /^[0-9a-f]{64}$/);
  }
  t.deepEqual(
    linkHits({ "exported state": state.text, "backend files": backendText(s), "engine output": s.output() }),
    [],
    "no package link in state or output",
  );

  // Nothing changed: nothing is downloaded again.
  const again = await s.up();
  t.is(again.summary.resourceChanges?.same, 11);
  t.is(callsOf(em, "download").length, 5);
});
