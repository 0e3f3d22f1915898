import test from "ava";
import { type Emulator, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

// Each test gets its own emulator: faults apply to whichever call comes next.
async function setup(t: import("ava").ExecutionContext): Promise<{ em: Emulator; token: string }> {
  const em = await startEmulator({ timeScale: 1 });
  t.teardown(() => em.close());
  return { em, token: await tokenFor(em) };
}

test("status fault: the documented error body with the given code and Retry-After", async (t) => {
  const { em, token } = await setup(t);
  em.injectFault({ route: "getMachine", kind: "status", status: 429, retryAfterSeconds: 3 });
  const path = `/api/machines/${em.fleet[0]!.id}`;
  const answer = await send(em, "GET", path, { token });
  t.is(answer.status, 429);
  t.true(isApiError(answer, "TooManyRequests"));
  t.is(answer.headers["retry-after"], "3");
  t.is(answer.headers["retry-after-ms"], "3000");
  t.is((await send(em, "GET", path, { token })).status, 200, "times defaults to 1");
  em.injectFault({ route: "getMachine", kind: "status", status: 500, code: "InternalServerError" });
  t.true(isApiError(await send(em, "GET", path, { token }), "InternalServerError"));
});

test("skip and times: let N calls through, then fail M", async (t) => {
  const { em, token } = await setup(t);
  em.injectFault({ route: "listMachines", kind: "status", status: 503, skip: 1, times: 2 });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await send(em, "GET", "/api/machines", { token })).status);
  t.deepEqual(statuses, [200, 503, 503, 200]);
});

test("latency fault delays the answer", async (t) => {
  const { em, token } = await setup(t);
  em.injectFault({ route: "listMachines", kind: "latency", ms: 300 });
  const started = Date.now();
  t.is((await send(em, "GET", "/api/machines", { token })).status, 200);
  t.true(Date.now() - started >= 290);
});

test("reset fault: the connection drops and nothing is created", async (t) => {
  const { em, token } = await setup(t);
  const id = em.fleet[0]!.id;
  em.injectFault({ route: "collect", kind: "reset" });
  await t.throwsAsync(
    send(em, "POST", `/api/machines/${id}/collectInvestigationPackage`, { token, json: { Comment: "x" } }),
  );
  const list = await send(em, "GET", `/api/machineactions?$filter=machineId eq '${id}'`, { token });
  t.is(list.json.value.length, 0);
  t.is(em.calls({ route: "collect" })[0]?.status, 0, "recorded as dropped");
});

test("commitThenDrop: the action exists although the client saw no answer", async (t) => {
  const { em, token } = await setup(t);
  const id = em.fleet[0]!.id;
  em.injectFault({ route: "collect", kind: "commitThenDrop" });
  await t.throwsAsync(
    send(em, "POST", `/api/machines/${id}/collectInvestigationPackage`, { token, json: { Comment: "x" } }),
  );
  const list = await send(em, "GET", `/api/machineactions?$filter=machineId eq '${id}'`, { token });
  t.is(list.json.value.length, 1);
  t.is(list.json.value[0].status, "Pending");
  const retry = await send(em, "POST", `/api/machines/${id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "x" },
  });
  t.true(isApiError(retry, "ActiveRequestAlreadyExists"), "a blind retry runs into the first collection");
});

test("faults over the admin path", async (t) => {
  const { em, token } = await setup(t);
  const added = await send(em, "POST", "/_emulator/faults", {
    json: [
      { route: "listMachines", kind: "status", status: 500 },
      { route: "getAction", kind: "latency", ms: 10, times: 3 },
    ],
  });
  t.is(added.status, 201);
  t.is(added.json.length, 2);
  t.is((await send(em, "GET", "/_emulator/faults")).json[1].timesLeft, 3);
  t.is((await send(em, "GET", "/api/machines", { token })).status, 500);
  t.is((await send(em, "DELETE", "/_emulator/faults")).status, 204);
  t.deepEqual((await send(em, "GET", "/_emulator/faults")).json, []);
  const invalid = await send(em, "POST", "/_emulator/faults", { json: { route: "nope", kind: "reset" } });
  t.is(invalid.status, 400);
  t.throws(() => em.injectFault({ route: "collect", kind: "status", status: 500, times: 0 }));
});

test("foreign traffic over the admin path spends the app's quota", async (t) => {
  const { em, token } = await setup(t);
  const quota = await send(em, "POST", "/_emulator/quota", {
    json: {
      clientId: em.defaultApp.clientId,
      tenantId: em.defaultApp.tenantId,
      route: "listMachines",
      count: 100,
    },
  });
  t.is(quota.status, 204);
  t.is((await send(em, "GET", "/api/machines", { token })).status, 429);
});
