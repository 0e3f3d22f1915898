/**
 * LiveResponseFileCollection into a folder on the real engine against the emulator: one session per
 * device with a GetFile per path, each file stored with the SHA-256 of what the device holds and a manifest
 * beside it; a second up posts nothing; no result link or token reaches state or output; a file deleted
 * from the folder is drift on refresh and comes back on up from the same session (no new session).
 */
import { rmSync } from "node:fs";
import test from "ava";
import type { LiveResponseFile } from "pulumi-mde";
import { emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { evidenceFolder } from "../helpers/evidence";
import { backendText } from "../helpers/faults";
import {
  assertCollectedFile,
  filesProgram,
  LIVE_RESPONSE_LIFECYCLE,
  LIVE_RESPONSE_TIME_SCALE,
  liveResponseCalls,
  resultLinkHits,
  WINDOWS_PATHS,
} from "../helpers/liveResponse";
import { JWT_PATTERN } from "../helpers/vault";

test("files into a folder: proven, recorded, posted once, nothing secret, a deleted file restored", async (t) => {
  const em = await startTestEmulator({
    timeScale: LIVE_RESPONSE_TIME_SCALE,
    lifecycle: LIVE_RESPONSE_LIFECYCLE,
  });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const ids = healthyIds(em, 2);
  const s = await emulatorStack(em, filesProgram(ids, { directory }, WINDOWS_PATHS));
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const actionIds = up.outputs.actionIds?.value as string[];
  const files = up.outputs.files?.value as LiveResponseFile[][];
  t.deepEqual(up.outputs.statuses?.value, ["Succeeded", "Succeeded"]);
  for (const [i, id] of ids.entries()) {
    t.deepEqual(
      files[i]?.map((f) => [f.path, f.index, f.status]),
      WINDOWS_PATHS.map((p, index) => [p, index, "collected"]),
    );
    for (const file of files[i] ?? []) await assertCollectedFile(t, em, id, actionIds[i] as string, file);
  }
  t.deepEqual(liveResponseCalls(em), { sessions: 2, links: 6, downloads: 6 }, "one session per device");

  // A second up changes and posts nothing.
  const again = await s.up();
  const changes = again.summary.resourceChanges ?? {};
  t.deepEqual([changes.create ?? 0, changes.update ?? 0, changes.replace ?? 0], [0, 0, 0]);
  t.deepEqual(liveResponseCalls(em), { sessions: 2, links: 6, downloads: 6 }, "nothing more posted");

  // No result link or bearer token in what is stored or printed.
  const state = await s.exportState();
  const texts = {
    "exported state": state.text,
    "backend files": backendText(s),
    "engine output": s.output(),
  };
  t.deepEqual(resultLinkHits(texts), []);
  for (const [name, text] of Object.entries(texts)) t.false(JWT_PATTERN.test(text), `no token in ${name}`);

  // A deleted file is drift on refresh, and up stores it again from the same session.
  const lost = files[0]?.[1] as LiveResponseFile;
  rmSync(lost.localPath as string);
  const refreshed = await s.refresh();
  t.is(refreshed.summary.resourceChanges?.update, 1, "refresh shows the missing file");
  const restored = await s.up();
  t.is(restored.summary.resourceChanges?.update, 1);
  await assertCollectedFile(t, em, ids[0] as string, actionIds[0] as string, lost);
  t.deepEqual(liveResponseCalls(em), { sessions: 2, links: 7, downloads: 7 }, "one more link, no session");

  await s.destroy();
  await assertCollectedFile(t, em, ids[0] as string, actionIds[0] as string, lost);
});
