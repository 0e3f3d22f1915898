import test from "ava";
import { type Emulator, startEmulator } from "../src";
import { isApiError, send, sleep, tokenFor } from "./support";

// 60 emulated seconds per real second: the one-minute window lasts one real second.
let em: Emulator;
test.before(async () => {
  em = await startEmulator({ timeScale: 60, tokenLifetimeSeconds: 86_400 });
});
test.after.always(() => em?.close());

/** A fresh app per test: quotas are per application and tenant. */
async function freshApp() {
  const app = em.addApp({ clientSecret: "rate-limit-secret" });
  return { app, token: await tokenFor(em, app) };
}

test("the 101st call in a minute: 429 TooManyRequests with Retry-After and retry-after-ms", async (t) => {
  const { app, token } = await freshApp();
  const path = `/api/machines/${em.fleet[0]!.id}`;
  em.consumeQuota({ clientId: app.clientId, tenantId: app.tenantId, route: "getMachine", count: 99 });
  t.is((await send(em, "GET", path, { token })).status, 200, "the 100th call passes");
  const throttled = await send(em, "GET", path, { token });
  t.is(throttled.status, 429);
  t.true(isApiError(throttled, "TooManyRequests"));
  const retryAfterMs = Number(throttled.headers["retry-after-ms"]);
  t.true(retryAfterMs > 0 && retryAfterMs <= 1000, `retry-after-ms ${retryAfterMs}`);
  t.is(throttled.headers["retry-after"], String(Math.ceil(retryAfterMs / 1000)), "whole seconds, rounded up");
  t.is((await send(em, "GET", path, { token })).status, 429, "resubmitting sooner gets another 429");
  await sleep(retryAfterMs + 50);
  t.is((await send(em, "GET", path, { token })).status, 200, "after Retry-After the call passes");
});

test("quotas are per app and per route", async (t) => {
  const one = await freshApp();
  const two = await freshApp();
  em.consumeQuota({ clientId: one.app.clientId, tenantId: one.app.tenantId, route: "getAction", count: 100 });
  const path = "/api/machineactions/7d2b8f1e-0000-4000-8000-000000000000";
  t.is((await send(em, "GET", path, { token: one.token })).status, 429);
  t.is((await send(em, "GET", path, { token: two.token })).status, 404, "another app is not throttled");
  t.is(
    (await send(em, "GET", "/api/machineactions", { token: one.token })).status,
    200,
    "another route is not throttled",
  );
});

test("GetPackageUri allows 2 calls per minute", async (t) => {
  const { token } = await freshApp();
  const path = "/api/machineactions/7d2b8f1e-0000-4000-8000-000000000000/GetPackageUri";
  t.is((await send(em, "GET", path, { token })).status, 404);
  t.is((await send(em, "GET", path, { token })).status, 404);
  const third = await send(em, "GET", path, { token });
  t.is(third.status, 429);
  t.true(isApiError(third, "TooManyRequests"));
});

test("the hourly quota (1500) holds after the minute window passed", async (t) => {
  const { app, token } = await freshApp();
  em.consumeQuota({ clientId: app.clientId, tenantId: app.tenantId, route: "listMachines", count: 1500 });
  await sleep(1100);
  const answer = await send(em, "GET", "/api/machines", { token });
  t.is(answer.status, 429);
  const seconds = Number(answer.headers["retry-after"]);
  t.true(seconds >= 57 && seconds <= 60, `hour window / 60 = 60 real seconds, got ${seconds}`);
});

test("rateLimits: false disables throttling", async (t) => {
  const local = await startEmulator({ rateLimits: false });
  t.teardown(() => local.close());
  const token = await tokenFor(local);
  local.consumeQuota({ ...local.defaultApp, route: "listMachines", count: 5000 });
  t.is((await send(local, "GET", "/api/machines", { token })).status, 200);
});
