/**
 * A package transfer cut mid-way on the real engine: the provider resumes it with a Range request where
 * the server allows it, and the file holds exactly the bytes served.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertEvidence,
  EVIDENCE_LIFECYCLE,
  EVIDENCE_TIME_SCALE,
  evidenceFolder,
  evidenceProgram,
} from "../helpers/evidence";

test("a transfer cut mid-way is resumed with a Range request", async (t) => {
  const em = await startTestEmulator({
    timeScale: EVIDENCE_TIME_SCALE,
    lifecycle: EVIDENCE_LIFECYCLE,
    packagePaddingBytes: 2_000_000,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const s = await emulatorStack(em, evidenceProgram(healthyIds(em, 1), directory));
  t.teardown(() => s.dispose());

  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: 750_000 });
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const actionIds = up.outputs.ids?.value as string[];
  await assertEvidence(t, em, directory, actionIds);
  const [cut, rest] = callsOf(em, "download");
  t.like(cut, { status: 200, errorCode: "cutAfterBytes", bodyBytes: 750_000 });
  t.is(rest?.status, 206, "the rest came as a partial answer");
  // Bytes still buffered in the client when the connection dropped are lost with it: the resume starts
  // at what was written to disk, at most where the server cut.
  const from = Number(/^bytes=(\d+)-$/.exec(rest?.range ?? "")?.[1]);
  t.true(from > 0 && from <= 750_000, `resumed from byte ${from}`);
  t.is(rest?.bodyBytes, em.packageSize(actionIds[0] as string) - from, "only the rest was sent again");
  t.is(callsOf(em, "download").length, 2);
  t.is(callsOf(em, "getPackageUri").length, 1, "the same link served the rest");
});
