import test from "ava";
import { AdaptiveRate } from "../../src/limits/adaptiveRate";
import { FamilyBudget } from "../../src/limits/familyBudget";
import { type LimiterClock, RateLimiter } from "../../src/limits/rateLimiter";
import { limitsFor } from "../../src/limits/sharedLimiters";

const MINUTE = 60_000;

test("a 429 cuts the rate by 30%, once per half window", (t) => {
  const rate = new AdaptiveRate(100, MINUTE);
  t.is(rate.perMinute(0), 100);
  t.false(rate.isCut(0));
  t.is(rate.onThrottled(0), 70);
  t.true(rate.isCut(0));
  t.is(rate.onThrottled(10_000), rate.perMinute(10_000), "within half a window: no second cut");
  t.true(Math.abs(rate.onThrottled(MINUTE) - 56) < 1e-9, "70 + 10 after a clean window, less 30%");
});

test("clean windows add 10% of the ceiling, then twice the step before, up to the ceiling", (t) => {
  const rate = new AdaptiveRate(100, MINUTE, { decreaseFactor: 0.5 });
  rate.onThrottled(0);
  t.is(rate.perMinute(0), 50);
  t.is(rate.perMinute(MINUTE), 60);
  t.is(rate.perMinute(2 * MINUTE), 80);
  t.is(rate.perMinute(3 * MINUTE), 100, "a runner left alone regains the ceiling in minutes");
  t.false(rate.isCut(60 * MINUTE));
});

test("runners that start at the ceiling converge to equal shares", (t) => {
  // Two runners, one of them already cut; each 429 hits one of them in turn, as a full window would.
  const a = new AdaptiveRate(100, MINUTE);
  const b = new AdaptiveRate(100, MINUTE);
  b.onThrottled(0);
  let now = 0;
  for (let i = 0; i < 20; i++) {
    now += MINUTE;
    const first = a.perMinute(now) >= b.perMinute(now) ? a : b;
    if (a.perMinute(now) + b.perMinute(now) > 100) first.onThrottled(now);
  }
  const gap = Math.abs(a.perMinute(now) - b.perMinute(now));
  t.true(gap < 25, `from 100 vs 50 to ${a.perMinute(now)} vs ${b.perMinute(now)}`);
});

test("the rate never drops below the floor and the ceiling bounds it (a static share)", (t) => {
  const rate = new AdaptiveRate(33, MINUTE, { increaseFraction: 0 });
  for (let i = 0; i < 10; i++) rate.onThrottled((i * MINUTE) / 2);
  t.true(Math.abs(rate.perMinute(5 * MINUTE) - 1.65) < 1e-9, "5% of the ceiling: a runner keeps probing");
  const share = new AdaptiveRate(33, MINUTE);
  share.onThrottled(0);
  share.lowerCeiling(10);
  t.is(share.perMinute(100 * MINUTE), 10);
  t.is(share.ceilingPerMinute, 10);
});

test("a paced family spreads its starts after a small burst", (t) => {
  const b = new FamilyBudget({ perMinute: 100, perHour: 1500, paced: true });
  const starts: number[] = [];
  let now = 0;
  while (starts.length < 20) {
    now += b.delayMs(now);
    starts.push(now);
    b.recordStart(now);
    b.recordEnd(now, now);
  }
  t.deepEqual(starts.slice(0, 10), Array(10).fill(0), "10% of the minute at once");
  t.is(starts[10], 600);
  t.is(starts[19], 6000, "then one every 600 ms: 100 per minute");
});

test("an unpaced family bursts until its first 429, then paces at the cut rate", (t) => {
  const b = new FamilyBudget({ perMinute: 100, perHour: 1500 });
  for (let i = 0; i < 30; i++) {
    t.is(b.delayMs(0), 0);
    b.recordStart(0);
    b.recordEnd(0, 0);
  }
  // The 31st is refused: the window is full of other callers' calls too.
  b.recordStart(0);
  b.recordRefused(0);
  t.is(b.usage(0).lastMinute, 30, "a refused call does not count");
  const blocked = b.throttled(0, 1000, () => 0.5);
  t.is(b.perMinute(0), 70, "cut by 30%");
  t.true(
    Math.abs(blocked - (1000 + 0.5 * (60_000 / 70))) < 1e-6,
    "Retry-After plus half a spacing at 70 per minute",
  );
  t.is(b.delayMs(0), blocked);
  const starts: number[] = [];
  let now = 0;
  while (starts.length < 7) {
    now += b.delayMs(now);
    starts.push(now);
    b.recordStart(now);
    b.recordEnd(now, now);
  }
  t.is(starts[0], blocked, "no burst when the pause ends");
  const spacing = 60_000 / b.perMinute(now);
  // The rate climbs back while it paces, so the spacing shrinks a little at each start.
  t.true(Math.abs((starts[1] as number) - blocked - spacing) < 20, "paced at the cut rate");
  t.true(Math.abs((starts[6] as number) - blocked - 6 * spacing) < 100);
});

test("jitter spreads runners refused together over one spacing", (t) => {
  const ends = [0, 0.25, 0.5, 0.75].map((r) => {
    const b = new FamilyBudget({ perMinute: 100, perHour: 1500, paced: true });
    return b.throttled(0, 30_000, () => r);
  });
  // Cut to 70 per minute: one spacing is 857 ms.
  const spacing = 60_000 / 70;
  t.deepEqual(
    ends.map((e) => Math.round(e)),
    [0, 0.25, 0.5, 0.75].map((r) => Math.round(30_000 + r * spacing)),
  );
});

test("the collect family is paced; reads are not", (t) => {
  const limits = limitsFor({ perMinute: 100, perHour: 1500 });
  t.true(limits.collect.paced);
  t.true(limits.isolate.paced);
  t.falsy(limits.actions.paced);
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

test("the limiter: a 429 frees its slot, cuts the rate and holds the family for Retry-After plus jitter", async (t) => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({
    limits: limitsFor({ perMinute: 1000, perHour: 15_000 }),
    clock,
    random: () => 0,
  });
  for (let i = 0; i < 10; i++) await limiter.schedule("collect", async () => i);
  const refused = Object.assign(new Error("429"), { status: 429 });
  await t.throwsAsync(limiter.schedule("collect", async () => Promise.reject(refused)));
  t.is(limiter.usage("collect").lastMinute, 10);
  t.is(limiter.throttled("collect", 5000), 5000);
  t.is(limiter.usage("collect").perMinute, 700);
  const order: number[] = [];
  const next = limiter.schedule("collect", async () => order.push(clock.now()));
  await clock.advance(4999);
  t.deepEqual(order, []);
  await clock.advance(1);
  await next;
  t.deepEqual(order, [5000]);
});
