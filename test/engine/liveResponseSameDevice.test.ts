/**
 * Two file collections on one device in one `up`: a device runs one live response session at a time, so
 * the second POST is refused (400 ActiveRequestAlreadyExists); that resource waits for the running session
 * to end and posts its own once. Both end collected, with exactly two sessions created.
 */
import test from "ava";
import type { LiveResponseFile } from "pulumi-mde";
import { LiveResponseFileCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { evidenceFolder } from "../helpers/evidence";
import {
  assertCollectedFile,
  LIVE_RESPONSE_LIFECYCLE,
  LIVE_RESPONSE_TIME_SCALE,
  WINDOWS_PATHS,
} from "../helpers/liveResponse";

test("a second session on the same device waits for the first, then posts once", async (t) => {
  const em = await startTestEmulator({
    timeScale: LIVE_RESPONSE_TIME_SCALE,
    lifecycle: LIVE_RESPONSE_LIFECYCLE,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const [machineId] = healthyIds(em, 1) as [string];
  const s = await emulatorStack(em, async () => {
    const collections = WINDOWS_PATHS.slice(0, 2).map(
      (path, i) =>
        new LiveResponseFileCollection(`files-${i}`, {
          machineId,
          comment: `IR-4711: file ${i}`,
          paths: [path],
          directory,
        }),
    );
    return {
      actionIds: collections.map((c) => c.actionId),
      files: collections.map((c) => c.files),
    };
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const actionIds = up.outputs.actionIds?.value as string[];
  const files = up.outputs.files?.value as LiveResponseFile[][];
  t.not(actionIds[0], actionIds[1]);
  for (const [i, actionId] of actionIds.entries()) {
    await assertCollectedFile(t, em, machineId, actionId, files[i]?.[0] as LiveResponseFile);
  }
  const posts = callsOf(em, "liveResponse");
  t.is(posts.filter((c) => c.status === 201).length, 2, "two sessions created");
  t.true(
    posts.some((c) => c.status === 400),
    "the second was refused while the first ran",
  );
});
