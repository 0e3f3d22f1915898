/**
 * A missing remote file on the real engine: its GetFile command fails ("File not found"), the later ones
 * never run and the session ends Failed. The file collected before it is stored and proven, `up` fails
 * naming the missing path and why, and the resource stays in state with every path's record. Running `up`
 * again posts no second session and reports the same paths.
 */
import test from "ava";
import { emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { evidenceFolder } from "../helpers/evidence";
import { failureOf } from "../helpers/faults";
import {
  assertCollectedFile,
  filesProgram,
  LIVE_RESPONSE_LIFECYCLE,
  LIVE_RESPONSE_TIME_SCALE,
  liveResponseCalls,
  WINDOWS_PATHS,
} from "../helpers/liveResponse";

const MISSING = "C:\\Temp\\not-there.ps1";

test("a missing remote file fails that path with a clear message; the file before it is kept", async (t) => {
  const em = await startTestEmulator({
    timeScale: LIVE_RESPONSE_TIME_SCALE,
    lifecycle: LIVE_RESPONSE_LIFECYCLE,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const [id] = healthyIds(em, 1) as [string];
  const paths = [WINDOWS_PATHS[0] as string, MISSING, WINDOWS_PATHS[1] as string];
  const s = await emulatorStack(em, filesProgram([id], { directory }, paths));
  t.teardown(() => s.dispose());

  const error = await failureOf(t, s.up());
  t.regex(error, /MDE_LIVE_RESPONSE_INCOMPLETE/);
  t.true(error.includes(`"${MISSING}" (command 1) failed on the device: File not found`), error);
  t.regex(error, /1 of 3 files collected/);
  t.regex(error, /\(command 2\) not run: an earlier command of the session failed/);

  const state = await s.exportState();
  const resource = state.resources.find((r) => r.type.endsWith("LiveResponseFileCollection"));
  const outputs = resource?.outputs as {
    actionId: string;
    status: string;
    files: import("pulumi-mde").LiveResponseFile[];
  };
  t.is(outputs.status, "Failed");
  t.deepEqual(
    outputs.files.map((f) => [f.path, f.status, f.error ?? null]),
    [
      [paths[0], "collected", null],
      [MISSING, "failed", "File not found"],
      [paths[2], "notRun", "not run: an earlier command of the session failed"],
    ],
  );
  await assertCollectedFile(
    t,
    em,
    id,
    outputs.actionId,
    outputs.files[0] as import("pulumi-mde").LiveResponseFile,
  );
  t.deepEqual(
    liveResponseCalls(em),
    { sessions: 1, links: 1, downloads: 1 },
    "a link for the completed command only",
  );

  // The same declaration again: no second session; the same paths are reported.
  const again = await failureOf(t, s.up());
  t.true(again.includes(`"${MISSING}" (command 1) failed on the device: File not found`));
  t.deepEqual(liveResponseCalls(em), { sessions: 1, links: 1, downloads: 1 }, "nothing posted or fetched");
});
