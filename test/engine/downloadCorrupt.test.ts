/**
 * A package that arrives corrupted on every try is never accepted on the real engine: `up` fails with a
 * clear error and code, no file is left under the package's name (nor a temporary one), the resource is
 * not in state; once the host serves it intact, the next `up` downloads it.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertEvidence,
  EVIDENCE_LIFECYCLE,
  EVIDENCE_TIME_SCALE,
  evidenceFolder,
  evidenceProgram,
  folderContents,
  linkHits,
} from "../helpers/evidence";
import { failureOf } from "../helpers/faults";

test("a corrupted package is never accepted; a later up gets it intact", async (t) => {
  const em = await startTestEmulator({
    timeScale: EVIDENCE_TIME_SCALE,
    lifecycle: EVIDENCE_LIFECYCLE,
    packagePaddingBytes: 300_000,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const s = await emulatorStack(em, evidenceProgram(healthyIds(em, 1), directory));
  t.teardown(() => s.dispose());

  em.injectFault({ route: "download", kind: "corruptAt", offset: 150_000, times: 100 });
  const error = await failureOf(t, s.up());
  t.regex(error, /The downloaded package .* is damaged|do not match the Content-MD5/);
  t.regex(error, /MDE_PACKAGE_CORRUPT/);
  t.deepEqual(linkHits({ error }), [], "no link in the error");
  t.deepEqual(folderContents(directory), { zips: [], manifests: [], other: [] }, "nothing written");
  t.is(callsOf(em, "download").length, 3, "three transfers were tried");
  const state = await s.exportState();
  t.deepEqual(
    state.resources.filter((r) => r.type.endsWith("InvestigationPackageDownload")),
    [],
    "the download is not in state",
  );

  em.clearFaults();
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const collections = state.resources.filter((r) => r.type.endsWith("InvestigationPackageCollection"));
  t.is(collections.length, 1);
  await assertEvidence(t, em, directory, [collections[0]?.id as string]);
  t.is(callsOf(em, "collect").length, 1, "no new collection");
});
