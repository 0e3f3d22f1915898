/**
 * DeviceIsolation on the real engine against the emulator: up isolates each device once and waits for it,
 * a second up posts nothing, refresh reads the device's state, and destroy releases each device with
 * exactly one unisolate, waited for until the device is released.
 */
import test from "ava";
import { emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  ISOLATION_LIFECYCLE,
  ISOLATION_TIME_SCALE,
  isolationPosts,
  isolationProgram,
} from "../helpers/isolation";

test("isolate, re-run (nothing), refresh, destroy (exactly one release per device)", async (t) => {
  const em = await startTestEmulator({ timeScale: ISOLATION_TIME_SCALE, lifecycle: ISOLATION_LIFECYCLE });
  t.teardown(() => em.close());
  const ids = healthyIds(em, 3);
  const s = await emulatorStack(em, isolationProgram(ids));
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.deepEqual(up.outputs.isolated?.value, [true, true, true]);
  t.deepEqual(up.outputs.statuses?.value, ["Succeeded", "Succeeded", "Succeeded"]);
  for (const id of ids) t.true(em.isolationOf(id).isolated, `${id} is isolated`);
  t.deepEqual(isolationPosts(em), { isolates: 3, releases: 0 });

  const again = await s.up();
  const changes = again.summary.resourceChanges ?? {};
  t.deepEqual(
    [changes.create ?? 0, changes.update ?? 0, changes.delete ?? 0, changes.replace ?? 0],
    [0, 0, 0, 0],
    "nothing to do",
  );
  const refreshed = await s.refresh();
  t.is(refreshed.summary.resourceChanges?.update ?? 0, 0, "still isolated");
  t.deepEqual(isolationPosts(em), { isolates: 3, releases: 0 }, "nothing more posted");

  await s.destroy();
  for (const id of ids) t.false(em.isolationOf(id).isolated, `${id} is released`);
  t.deepEqual(isolationPosts(em), { isolates: 3, releases: 3 }, "exactly one release per device");
});
