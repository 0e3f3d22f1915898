/**
 * A release whose answer is lost (the emulator commits the unisolate, then drops the connection) is found
 * by its marker and not posted again: the device ends released with exactly one Unisolate action.
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

test("a lost release answer is found by its marker and not repeated", async (t) => {
  const em = await startTestEmulator({ timeScale: ISOLATION_TIME_SCALE, lifecycle: ISOLATION_LIFECYCLE });
  t.teardown(() => em.close());
  const [id] = healthyIds(em, 1) as [string];
  const s = await emulatorStack(em, isolationProgram([id]));
  t.teardown(() => s.dispose());
  await s.up();
  t.true(em.isolationOf(id).isolated);

  em.injectFault({ route: "unisolate", kind: "commitThenDrop" });
  await s.destroy();
  t.false(em.isolationOf(id).isolated, "released");
  const listed = await emulatorApi<{ value: Array<{ type: string }> }>(
    em,
    "GET",
    `/api/machineactions?$filter=${encodeURIComponent(`machineId eq '${id}' and type eq 'Unisolate'`)}`,
  );
  await closeEmulatorApi(em);
  t.is(listed.body.value.length, 1, "one Unisolate action on the device");
  t.is(isolationPosts(em).releases, 1, "the release was posted once");
});
