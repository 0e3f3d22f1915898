/**
 * The package link never leaks on the real engine: not in stored state (as exported, and every backend
 * file), not in the engine's output at high verbosity, not in the text of a failed download.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  EVIDENCE_LIFECYCLE,
  EVIDENCE_TIME_SCALE,
  evidenceFolder,
  evidenceProgram,
  linkHits,
} from "../helpers/evidence";
import { backendText, closeEmulatorApi, emulatorApi, failureOf } from "../helpers/faults";

test("no package link in state, engine output or error text", async (t) => {
  const em = await startTestEmulator({
    timeScale: EVIDENCE_TIME_SCALE,
    lifecycle: EVIDENCE_LIFECYCLE,
    packagePaddingBytes: 500_000,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const s = await emulatorStack(em, evidenceProgram(healthyIds(em, 2), directory));
  t.teardown(() => s.dispose());

  // The first download fails for good (the host keeps answering 404); a cut, a corruption and an
  // expiry-like refusal on the way give every error path a chance to print the link.
  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: 100_000 });
  em.injectFault({ route: "download", kind: "status", status: 403, code: "AuthenticationFailed" });
  em.injectFault({ route: "download", kind: "status", status: 404, code: "BlobNotFound", times: 1 });
  const error = await failureOf(t, s.up({ logVerbosity: 9 }));
  t.regex(error, /BlobNotFound/);
  t.regex(error, /package link on 127\.0\.0\.1/, "the error names the host only");
  em.clearFaults();
  await s.up({ logVerbosity: 9 });
  await s.refresh({ logVerbosity: 9 });
  t.true(callsOf(em, "getPackageUri").length >= 3, "links were fetched");

  const state = await s.exportState();
  t.deepEqual(
    linkHits({
      "exported state": state.text,
      "backend files": backendText(s),
      "engine output": s.output(),
      "error text": error,
    }),
    [],
  );
  t.true(s.output().length > 50_000, "the verbose runs did log a lot");

  // The patterns do recognise a real link.
  const actionId = state.resources.find((r) => r.type.endsWith("InvestigationPackageDownload"))?.outputs
    ?.actionId as string;
  const link = await emulatorApi<{ value: string }>(
    em,
    "GET",
    `/api/machineactions/${actionId}/GetPackageUri`,
  );
  await closeEmulatorApi(em);
  t.is(link.status, 200);
  t.deepEqual(linkHits({ link: link.body.value }), ["link"], "a real link matches the patterns");
});
