/**
 * A 429 storm: injected 429s with Retry-After on the collect POST, the status GETs and the
 * look-ups, while another caller of the same app eats most of the collect quota for several
 * emulated minutes. Every collection is created exactly once and followed to Succeeded; none fails.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { closeEmulatorApi, collectionsOn } from "../helpers/faults";

const COUNT = 6;
// One emulated minute per real second.
const TIME_SCALE = 60;

test("429 storm with Retry-After on POST and GET, plus foreign traffic: every collection created once, none failed", async (t) => {
  const em = await startTestEmulator({
    extraHealthyDevices: COUNT,
    timeScale: TIME_SCALE,
    lifecycle: { pendingSeconds: 60, inProgressSeconds: 120 },
  });
  t.teardown(() => em.close());
  const ids = healthyIds(em, COUNT);
  const { clientId, tenantId } = em.defaultApp;

  // Retry-After is in real seconds: each injected 429 holds the route family for a second.
  em.injectFault({ route: "collect", kind: "status", status: 429, retryAfterSeconds: 1, times: 4 });
  em.injectFault({ route: "collect", kind: "status", status: 429, retryAfterSeconds: 1, skip: 2, times: 3 });
  // Status reads go out as single GETs or as coalesced list queries, as timing has it: both are throttled.
  em.injectFault({ route: "getAction", kind: "status", status: 429, retryAfterSeconds: 1, times: 5 });
  em.injectFault({
    route: "listActions",
    kind: "status",
    status: 429,
    retryAfterSeconds: 1,
    skip: 1,
    times: 5,
  });
  // Another caller spends 98 of the 100 collect calls per minute for five emulated minutes.
  let minutes = 0;
  const eat = () => {
    if (minutes++ < 5) em.consumeQuota({ clientId, tenantId, route: "collect", count: 98 });
  };
  eat();
  const foreign = setInterval(eat, 60_000 / TIME_SCALE);
  t.teardown(() => clearInterval(foreign));

  const s = await emulatorStack(em, async () => {
    const collections = ids.map(
      (machineId, i) =>
        new InvestigationPackageCollection(`device-${i}`, {
          machineId,
          comment: `IR-3000: storm device ${i}`,
          waitForCompletion: true,
        }),
    );
    return { statuses: collections.map((c) => c.status) };
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  clearInterval(foreign);
  t.is(up.summary.result, "succeeded", "no collection failed");
  t.deepEqual(up.outputs.statuses?.value, Array(COUNT).fill("Succeeded"));
  const posts = callsOf(em, "collect");
  t.true(
    posts.filter((p) => p.status === 429).length >= 7,
    "the POSTs were throttled (injected and by quota)",
  );
  const throttledReads = [...callsOf(em, "getAction"), ...callsOf(em, "listActions")].filter(
    (c) => c.status === 429,
  );
  t.true(throttledReads.length >= 3, `the status reads were throttled (${throttledReads.length})`);
  t.is(posts.filter((p) => p.status === 201).length, COUNT, "exactly one action created per resource");
  t.deepEqual(
    posts.filter((p) => p.status !== 201 && p.status !== 429),
    [],
    "no other answer: nothing was posted twice",
  );
  for (const machineId of ids) t.is((await collectionsOn(em, machineId)).length, 1);
  await closeEmulatorApi(em);
  const state = await s.exportState();
  t.is(new Set(state.resources.map((r) => r.id)).size, COUNT, "no two resources share an action");
});
