import test from "ava";
import { limitsForSettings, rateLimiterFor } from "../../src/client/clientParts";
import { DefenderError } from "../../src/core/errors";
import { FamilyBudget } from "../../src/limits/familyBudget";
import { type LimiterClock, RateLimiter } from "../../src/limits/rateLimiter";
import { resolveSettings } from "../../src/settings/resolveSettings";

test("minute window: the next start waits for the oldest to leave", (t) => {
  const b = new FamilyBudget({ perMinute: 3, perHour: 100 });
  for (const at of [0, 10_000, 20_000]) {
    t.is(b.delayMs(at), 0);
    b.recordStart(at);
    b.recordEnd();
  }
  t.is(b.delayMs(30_000), 30_000);
  t.is(b.delayMs(59_999), 1);
  t.is(b.delayMs(60_000), 0);
});

test("hour window binds after the minute window frees", (t) => {
  const b = new FamilyBudget({ perMinute: 10, perHour: 4 });
  for (const at of [0, 1, 2, 3]) {
    b.recordStart(at);
    b.recordEnd();
  }
  t.is(b.delayMs(120_000), 3_600_000 - 120_000);
  t.is(b.delayMs(3_600_000), 0);
  t.deepEqual(b.usage(3_600_000), { lastMinute: 0, lastHour: 3, inFlight: 0, pausedForMs: 0 });
});

test("time scale divides both windows", (t) => {
  const b = new FamilyBudget({ perMinute: 1, perHour: 2 }, 60);
  b.recordStart(0);
  b.recordEnd();
  t.is(b.delayMs(0), 1000);
  b.recordStart(1000);
  b.recordEnd();
  t.is(b.delayMs(2000), 60_000 - 2000);
});

test("in-flight limit blocks until a call ends", (t) => {
  const b = new FamilyBudget({ perMinute: 100, perHour: 100, maxInFlight: 1 });
  b.recordStart(0);
  t.is(b.delayMs(5), Infinity);
  b.recordEnd();
  t.is(b.delayMs(5), 0);
});

test("pause extends, never shortens", (t) => {
  const b = new FamilyBudget({ perMinute: 100, perHour: 100 });
  b.pause(0, 5000);
  b.pause(1000, 1000);
  t.is(b.delayMs(1000), 4000);
  t.is(b.delayMs(5000), 0);
});

test("lowering limits takes the smaller value", (t) => {
  const b = new FamilyBudget({ perMinute: 100, perHour: 1500, maxInFlight: 1 });
  b.lowerLimits({ perMinute: 10, perHour: 2000 });
  t.deepEqual(b.currentLimits, { perMinute: 10, perHour: 1500, maxInFlight: 1 });
});

/** A manual clock: timers fire only when advanced. */
class FakeClock implements LimiterClock {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now() {
    return this.time;
  }
  setTimer(fn: () => void, ms: number) {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimer(handle: unknown) {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.fn();
      await flush();
    }
    this.time = end;
    await flush();
  }
}

async function flush() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const limits = (perMinute: number, perHour = 1000) => ({
  collect: { perMinute, perHour, maxInFlight: 1 },
  isolate: { perMinute, perHour, maxInFlight: 1 },
  liveResponse: { perMinute: 10, perHour: 600, maxInFlight: 1 },
  actions: { perMinute, perHour },
  machines: { perMinute, perHour },
  packageUri: { perMinute: 2, perHour: 120 },
});

test("schedule runs calls FIFO within the minute budget", async (t) => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ limits: limits(2), clock });
  const started: [number, number][] = [];
  const all = [0, 1, 2, 3, 4].map((i) =>
    limiter.schedule("actions", async () => {
      started.push([i, clock.now()]);
      return i;
    }),
  );
  await flush();
  t.deepEqual(started, [
    [0, 0],
    [1, 0],
  ]);
  await clock.advance(60_000);
  t.deepEqual(started.slice(2), [
    [2, 60_000],
    [3, 60_000],
  ]);
  await clock.advance(60_000);
  t.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4]);
  t.deepEqual(started[4], [4, 120_000]);
});

test("collect runs one at a time; families are independent", async (t) => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ limits: limits(100), clock });
  let release!: () => void;
  const first = limiter.schedule("collect", () => new Promise<string>((r) => (release = () => r("a"))));
  let secondStarted = false;
  const second = limiter.schedule("collect", async () => {
    secondStarted = true;
    return "b";
  });
  const other = await limiter.schedule("actions", async () => "x");
  t.is(other, "x");
  await flush();
  t.false(secondStarted);
  t.is(limiter.usage("collect").queued, 1);
  release();
  t.is(await first, "a");
  t.is(await second, "b");
});

test("pause holds the whole family; front keeps a retry's place", async (t) => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ limits: limits(100), clock });
  limiter.pause("collect", 5000);
  const order: string[] = [];
  const a = limiter.schedule("collect", async () => order.push("a"));
  const b = limiter.schedule("collect", async () => order.push("retry"), { front: true });
  await clock.advance(4999);
  t.deepEqual(order, []);
  await clock.advance(1);
  await Promise.all([a, b]);
  t.deepEqual(order, ["retry", "a"]);
});

test("abort while queued rejects with MDE_ABORTED and frees the queue", async (t) => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ limits: limits(1), clock });
  await limiter.schedule("machines", async () => 1);
  const controller = new AbortController();
  const waiting = limiter.schedule("machines", async () => 2, { signal: controller.signal });
  const after = limiter.schedule("machines", async () => 3);
  controller.abort();
  const error = await t.throwsAsync(waiting, { instanceOf: DefenderError });
  t.is(error?.code, "MDE_ABORTED");
  await clock.advance(60_000);
  t.is(await after, 3);
});

test("a failing call releases its slot", async (t) => {
  const limiter = new RateLimiter({ limits: limits(100) });
  await t.throwsAsync(
    limiter.schedule("collect", async () => Promise.reject(new Error("boom"))),
    { message: "boom" },
  );
  t.is(await limiter.schedule("collect", async () => "next"), "next");
});

test("the registry shares one limiter per fingerprint and caps the package link family", (t) => {
  const base = { "mde:tenantId": "t1", "mde:clientId": "c1", "mde:clientSecret": "secret-one" };
  const s1 = resolveSettings(base, {});
  const s2 = resolveSettings(
    { ...base, "mde:clientSecret": "secret-two", "mde:rateLimitPerMinute": "10" },
    {},
  );
  t.is(rateLimiterFor(s1), rateLimiterFor(s2));
  t.not(rateLimiterFor(s1), rateLimiterFor(resolveSettings({ ...base, "mde:cloud": "uk" }, {})));
  t.deepEqual(limitsForSettings(s1).packageUri, { perMinute: 2, perHour: 120 });
  t.deepEqual(limitsForSettings(s2).packageUri, { perMinute: 2, perHour: 120 });
  t.deepEqual(limitsForSettings(resolveSettings({ ...base, "mde:rateLimitPerMinute": "1" }, {})).packageUri, {
    perMinute: 1,
    perHour: 120,
  });
  t.is(limitsForSettings(s1).collect.maxInFlight, 1);
});
