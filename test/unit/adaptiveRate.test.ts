import test from "ava";
import { AdaptiveRate } from "../../src/limits/adaptiveRate";
import { FamilyBudget } from "../../src/limits/familyBudget";
import { type LimiterClock, RateLimiter } from "../../src/limits/rateLimiter";
import { limitsFor } from "../../src/limits/sharedLimiters";

const MINUTE = 60_000;

test("the first 429 cuts the rate to the calls the quota's window holds from us", (t) => {
  const rate = new AdaptiveRate(100, MINUTE);
  t.is(rate.perMinute(0), 100);
  t.false(rate.isCut(0));
  // Three runners started together: the window filled after 20 s with 33 of ours in it.
  t.is(rate.onThrottled(20_000, 33), 33);
  t.true(rate.isCut(20_000));
});

test("later 429s cut multiplicatively, once per half window", (t) => {
  const rate = new AdaptiveRate(100, MINUTE);
  t.is(rate.onThrottled(0, 100), 80);
  t.is(rate.onThrottled(10_000, 80), rate.perMinute(10_000), "within half a window: no second cut");
  t.true(Math.abs(rate.onThrottled(MINUTE, 85) - 0.8 * 85) < 1e-9, "80 + 5 after a clean window, x 0.8");
});

test("each clean window adds 5% of the ceiling, up to the ceiling", (t) => {
  const rate = new AdaptiveRate(100, MINUTE);
  rate.onThrottled(0, 40);
  t.is(rate.perMinute(0), 40);
  t.is(rate.perMinute(MINUTE), 45);
  t.is(rate.perMinute(2 * MINUTE), 50);
  t.is(rate.perMinute(60 * MINUTE), 100, "a long wait (the hour cap) ends with the full rate");
  t.false(rate.isCut(60 * MINUTE));
});

test("the rate never drops below the floor and the ceiling bounds it (a static share)", (t) => {
  const rate = new AdaptiveRate(33, MINUTE);
  t.true(Math.abs(rate.onThrottled(0, 0) - 1.65) < 1e-9, "5% of the ceiling: a late runner keeps probing");
  rate.lowerCeiling(10);
  t.is(rate.perMinute(100 * MINUTE), 10);
  t.is(rate.ceilingPerMinute, 10);
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
  for (let i = 0; i < 50; i++) {
    t.is(b.delayMs(0), 0);
    b.recordStart(0);
    b.recordEnd(0, 0);
  }
  // The 51st is refused: the window is full of other callers' calls too.
  b.recordStart(0);
  b.recordRefused(0);
  t.is(b.usage(0).lastMinute, 50, "a refused call does not count");
  const blocked = b.throttled(0, 1000, () => 0.5);
  t.is(b.perMinute(0), 50, "cut to our share of the full window");
  t.is(blocked, 1000 + 0.5 * 1200, "Retry-After plus half a spacing at 50 per minute");
  t.is(b.delayMs(0), 60_000, "our 50 calls fill the cut window until they leave it");
  const starts: number[] = [];
  let now = 60_000;
  while (starts.length < 7) {
    now += b.delayMs(now);
    starts.push(now);
    b.recordStart(now);
    b.recordEnd(now, now);
  }
  const spacing = 60_000 / b.perMinute(now);
  t.deepEqual(starts.slice(0, 5), Array(5).fill(60_000), "a burst of 10% of the cut rate");
  t.true(Math.abs((starts[5] as number) - 60_000 - spacing) < 5, "then paced at the cut rate");
});

test("jitter spreads runners refused together over one spacing", (t) => {
  const ends = [0, 0.25, 0.5, 0.75].map((r) => {
    const b = new FamilyBudget({ perMinute: 100, perHour: 1500, paced: true });
    return b.throttled(0, 30_000, () => r);
  });
  t.deepEqual(ends, [30_000, 30_000 + 0.25 * 12_000, 30_000 + 0.5 * 12_000, 30_000 + 0.75 * 12_000]);
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
  t.is(limiter.usage("collect").perMinute, 50, "our 10 were under the 5% floor of 1000");
  const order: number[] = [];
  const next = limiter.schedule("collect", async () => order.push(clock.now()));
  await clock.advance(4999);
  t.deepEqual(order, []);
  await clock.advance(1);
  await next;
  t.deepEqual(order, [5000]);
});
