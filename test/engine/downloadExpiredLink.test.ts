/**
 * An expired package link on the real engine: the download host answers 403 AuthenticationFailed, the
 * provider fetches a fresh link (within the link budget) and the download completes.
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

test("an expired link is replaced by a fresh one and the download completes", async (t) => {
  // Links live 60 emulated seconds (0.5 s real); the first download is held 1.5 s, so its link expires.
  const em = await startTestEmulator({
    timeScale: EVIDENCE_TIME_SCALE,
    lifecycle: EVIDENCE_LIFECYCLE,
    packageLinkLifetimeSeconds: 60,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const s = await emulatorStack(em, evidenceProgram(healthyIds(em, 1), directory));
  t.teardown(() => s.dispose());

  em.injectFault({ route: "download", kind: "latency", ms: 1500 });
  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  await assertEvidence(t, em, directory, up.outputs.ids?.value as string[]);
  t.deepEqual(
    callsOf(em, "download").map((c) => [c.status, c.errorCode ?? null]),
    [
      [403, "AuthenticationFailed"],
      [200, null],
    ],
  );
  t.deepEqual(
    callsOf(em, "getPackageUri").map((c) => c.status),
    [200, 200],
    "a second link, no 429",
  );
});
