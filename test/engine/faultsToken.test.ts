/**
 * The token endpoint and token lifetime: the endpoint down for a while when the deployment starts,
 * and the token expiring in the middle of a deployment. Both are absorbed: the deployment succeeds,
 * each device gets exactly one collection, and a POST refused with 401 is sent again only after a
 * new token (a 401 is a refusal: nothing was created).
 */
import { setTimeout as sleep } from "node:timers/promises";
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { closeEmulatorApi, collectionsOn } from "../helpers/faults";
import { sweepProgram } from "../helpers/sweep";

const TIME_SCALE = 60;

const program = (ids: string[], waitForCompletion: boolean) =>
  sweepProgram(ids, { waitForCompletion, comment: (i) => `IR-4000: token device ${i}` });

test("token endpoint down at the start (503s, a reset, a 429): retried, then every collection created once", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE });
  t.teardown(() => em.close());
  const ids = healthyIds(em, 3);
  em.injectFault({ route: "token", kind: "status", status: 503, times: 2 });
  em.injectFault({ route: "token", kind: "reset" });
  em.injectFault({ route: "token", kind: "status", status: 429, retryAfterSeconds: 1 });
  const s = await emulatorStack(em, program(ids, false));
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.deepEqual(
    callsOf(em, "token").map((c) => c.status),
    [503, 503, 0, 429, 200],
    "the outage, then one token for the whole deployment (concurrent creates share the request)",
  );
  const posts = callsOf(em, "collect");
  t.is(posts.length, ids.length, "no POST before a token; one per resource after");
  t.true(posts.every((p) => p.status === 201));
  for (const machineId of ids) t.is((await collectionsOn(em, machineId)).length, 1);
  await closeEmulatorApi(em);
});

test("the token expires mid-deployment: the 401 renews it, nothing is collected twice", async (t) => {
  const em = await startTestEmulator({
    timeScale: TIME_SCALE,
    lifecycle: { pendingSeconds: 120, inProgressSeconds: 240 },
  });
  t.teardown(() => em.close());
  const ids = healthyIds(em, 4);
  // Slow POSTs keep the deployment going while the token expires.
  em.injectFault({ route: "collect", kind: "latency", ms: 400, times: ids.length });
  const s = await emulatorStack(em, program(ids, true));
  t.teardown(() => s.dispose());

  const running = s.up();
  // Once the first collection exists, jump emulated time past the token's expiry (3 hours).
  while (!callsOf(em, "collect").some((c) => c.status === 201)) await sleep(50);
  em.advanceTime(3 * 3600);
  const up = await running;

  t.is(up.summary.result, "succeeded");
  const refused = em.calls().filter((c) => c.status === 401);
  t.true(refused.length >= 1, "the API refused the expired token");
  t.true(callsOf(em, "token").filter((c) => c.status === 200).length >= 2, "a new token was obtained");
  t.true(
    refused.length <= callsOf(em, "token").length,
    "each refusal is followed by a renewal, no retry storm",
  );
  const posts = callsOf(em, "collect");
  t.is(posts.filter((p) => p.status === 201).length, ids.length, "one action per resource");
  t.deepEqual(
    posts.filter((p) => p.status !== 201).map((p) => p.status),
    posts.filter((p) => p.status === 401).map(() => 401),
    "a POST was repeated only after a 401",
  );
  for (const machineId of ids) t.is((await collectionsOn(em, machineId)).length, 1);
  await closeEmulatorApi(em);
  const state = await s.exportState();
  t.true(state.resources.every((r) => r.outputs?.status === "Succeeded"));
});
