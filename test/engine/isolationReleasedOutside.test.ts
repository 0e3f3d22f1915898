/**
 * A device released outside the stack (from the portal) shows `isolated: false` after refresh, and the
 * next up isolates it again with a new isolate action; destroy then releases it once.
 */
import test from "ava";
import { emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { closeEmulatorApi, emulatorApi } from "../helpers/faults";
import {
  ISOLATION_LIFECYCLE,
  ISOLATION_TIME_SCALE,
  isolationPosts,
  isolationProgram,
} from "../helpers/isolation";

test("released outside: refresh shows it, up isolates again", async (t) => {
  const em = await startTestEmulator({ timeScale: ISOLATION_TIME_SCALE, lifecycle: ISOLATION_LIFECYCLE });
  t.teardown(() => em.close());
  const [id] = healthyIds(em, 1) as [string];
  const s = await emulatorStack(em, isolationProgram([id]));
  t.teardown(() => s.dispose());
  const up = await s.up();
  const firstAction = (up.outputs.actionIds?.value as string[] | undefined)?.[0];

  // Someone releases the device in the portal, and it completes.
  const released = await emulatorApi<{ id: string }>(em, "POST", `/api/machines/${id}/unisolate`, {
    Comment: "released from the portal",
  });
  t.is(released.status, 201);
  await closeEmulatorApi(em);
  await new Promise((r) => setTimeout(r, 2_500));
  t.false(em.isolationOf(id).isolated);

  const refreshed = await s.refresh();
  t.is(refreshed.summary.resourceChanges?.update, 1);
  const state = await s.exportState();
  t.is(state.resources.find((r) => r.type.endsWith("DeviceIsolation"))?.outputs?.isolated, false);

  const again = await s.up();
  t.is(again.summary.resourceChanges?.update, 1, "up isolates it again");
  t.true(em.isolationOf(id).isolated);
  const second = (again.outputs.actionIds?.value as string[] | undefined)?.[0];
  t.not(second, firstAction, "a new isolate action");
  t.deepEqual(again.outputs.isolated?.value, [true]);

  await s.destroy();
  t.false(em.isolationOf(id).isolated);
  t.deepEqual(
    isolationPosts(em),
    { isolates: 2, releases: 2 },
    "two isolates; the portal's release and ours",
  );
});
