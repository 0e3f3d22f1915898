/**
 * The out-of-order failure (isolate and release sent close together, the isolate completing after the
 * release, the device left isolated): destroying an isolation whose isolate is still pending waits for it
 * to end before releasing, so even with the emulator's completeAfterRelease fault the device ends released.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  ISOLATION_LIFECYCLE,
  ISOLATION_TIME_SCALE,
  isolationPosts,
  isolationProgram,
} from "../helpers/isolation";

test("a release waits for the pending isolate; the device ends released", async (t) => {
  const em = await startTestEmulator({ timeScale: ISOLATION_TIME_SCALE, lifecycle: ISOLATION_LIFECYCLE });
  t.teardown(() => em.close());
  const [id] = healthyIds(em, 1) as [string];
  // Without waiting, the isolate is still Pending when destroy comes.
  const s = await emulatorStack(em, isolationProgram([id], { waitForCompletion: false }));
  t.teardown(() => s.dispose());
  em.injectFault({ route: "isolate", kind: "completeAfterRelease" });
  const up = await s.up();
  t.deepEqual(up.outputs.statuses?.value, ["Pending"]);

  await s.destroy();
  t.false(em.isolationOf(id).isolated, "the device ends released");
  const [isolate] = callsOf(em, "isolate");
  const [release] = callsOf(em, "unisolate");
  t.truthy(isolate && release);
  t.deepEqual(isolationPosts(em), { isolates: 1, releases: 1 });
});
