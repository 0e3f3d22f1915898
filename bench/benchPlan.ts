/**
 * What the bench can run and how: the scenarios in table order, and for each the N, the time scale and
 * the repetitions, full or `--quick`.
 */

/** Every scenario, in the order of the table (and of `--only`'s help). */
export const SCENARIOS = [
  "throughput",
  "hourCap",
  "overhead",
  "naive",
  "wait",
  "refresh",
  "download",
  "vault",
  "waitParallel",
  "runners",
  "runbook",
  "tenants",
] as const;

/** A scenario name, as `--only` takes it. */
export type Scenario = (typeof SCENARIOS)[number];

/**
 * Scenarios that run only when `--only` names them: they take minutes for a figure that rarely moves
 * (the vault moves 5 GiB per pair through TLS, 6 to 10 minutes on 2 cores).
 */
export const OPT_IN_SCENARIOS: ReadonlySet<Scenario> = new Set<Scenario>([
  "vault",
  "waitParallel",
  "runners",
  "runbook",
  "tenants",
]);

/** The emulator's default collection lifecycle (emulated seconds): picked up after 60 s, runs 300 s. */
export const DEFAULT_LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 300 } as const;

/** What each scenario deploys, at which time scale, how many times. */
export function benchPlan(quick: boolean) {
  return {
    // 100 POSTs per emulated minute = 8.3 per real second at x5: well under what the engine creates on
    // this machine (about 60 no-op resources per second), so the quota, not the engine, sets the pace.
    // Each window also restarts a few real milliseconds late (see windowLagMs); the scale magnifies
    // that loss, so x5 rather than x10.
    throughput: { n: quick ? 150 : 500, parallel: 32, timeScale: 5, runs: quick ? 1 : 3 },
    // x20: one emulated hour is 180 s, longer than the engine needs for 1500 creates, so the
    // 1501st POST really has to wait for the hour window; one run (about 3.5 minutes).
    hourCap: { n: quick ? 1510 : 1600, parallel: 32, timeScale: quick ? 60 : 20, runs: 1 },
    overhead: { n: quick ? 50 : 200, parallel: 32, runs: quick ? 1 : 3 },
    naive: { n: quick ? 150 : 500, parallel: 32, timeScale: 5, runs: quick ? 1 : 3 },
    // x5: the ideal (2 emulated minutes of POSTs plus the 6-minute lifecycle) is 96 real s, so the
    // engine's start-up (a few real seconds) costs a few percent of it, not a fifth as at x20.
    // Parallel above N: a waiting create holds its engine slot until the collection is final, so at
    // --parallel 32 only about 30 collections are posted, the next ones when those end (6 minutes later).
    wait: {
      n: quick ? 40 : 200,
      parallel: 256,
      timeScale: quick ? 20 : 5,
      lifecycle: DEFAULT_LIFECYCLE,
      runs: quick ? 1 : 2,
    },
    // Real time (x1) for the refresh, so "under one emulated minute" is a real minute that includes the
    // engine's own work. The setup deploys in batches of 100 per emulated minute, moving the emulator's
    // clock a minute on between batches (see refreshFleet.ts). Each run refreshes twice: at the bench's
    // --parallel 32 and at the engine's default (4 x CPUs), which is what a plain `pulumi refresh` uses.
    refresh: { n: quick ? 200 : 1500, parallel: 32, runs: quick ? 1 : 2 },
    // x10: one emulated minute is 6 s, so 10 links at 2 per minute take about 24 real s, and a client
    // round trip of late window restart costs about 1 % of a window.
    download: {
      n: quick ? 4 : 10,
      parallel: 32,
      timeScale: 10,
      lifecycle: { pendingSeconds: 60, inProgressSeconds: 120 },
      runs: quick ? 1 : 3,
      // One collection and its download: a short lifecycle, the transfer is what is measured.
      memory: {
        lifecycle: { pendingSeconds: 10, inProgressSeconds: 20 },
        smallBytes: 10 * 2 ** 20,
        largeBytes: quick ? 256 * 2 ** 20 : 2 ** 30,
        runs: quick ? 1 : 2,
      },
    },
    // One package into a blob container (Azurite on disk), x10 like the downloads: a small and a large
    // package per pair for memory, and beside the large one a plain copy of the same bytes before and
    // after it, so drifting load hits both alike.
    vault: {
      timeScale: 10,
      lifecycle: { pendingSeconds: 10, inProgressSeconds: 20 },
      smallBytes: 10 * 2 ** 20,
      largeBytes: quick ? 256 * 2 ** 20 : 2 ** 30,
      runs: quick ? 1 : 2,
    },
    // The same waiting as `wait`, at the engine's default parallelism (what a plain `pulumi up` uses)
    // and at --parallel n, side by side: the waves the notice warns about. x20, so one lifecycle is 18
    // real s and the default's 8 waves (on 2 CPUs) take about 2.5 minutes.
    waitParallel: {
      n: quick ? 16 : 64,
      timeScale: 20,
      lifecycle: DEFAULT_LIFECYCLE,
      runs: 1,
    },
    // Several runners on one app: K stacks started together (x5 like the throughput: 3 x 120 at 100 per
    // minute is about 4 emulated minutes, 50 real s), the same beside a foreign client at 40/min, and two
    // stacks that find 1450 of the hour's 1500 spent (x60: the hour they must wait out is 60 real s).
    runners: {
      k: 3,
      n: quick ? 40 : 120,
      timeScale: 5,
      foreignPerMinute: 40,
      hourSpent: { k: 2, n: quick ? 40 : 60, spent: 1450, timeScale: 60 },
      runs: 1,
    },
    // A runbook per device (isolate, package, one file) in one up. x5 like the throughput: live response's
    // 10 per minute makes 100 sessions 10 emulated minutes (2 real minutes). Parallel above the 3 N
    // resources: a file collection holds its engine slot until its session ends, which must not keep
    // the next devices' isolations and collections from posting.
    runbook: { n: quick ? 30 : 100, parallel: 512, timeScale: 5, runs: 1 },
    // K tenants x N collections in one up, each through its own profile, beside one tenant's N alone (a
    // fresh emulator each). x5: 300 at 100 per minute is 3 emulated minutes (36 real s). Parallel above
    // K N, so every tenant's creates reach their own budget at once.
    tenants: { k: 3, n: quick ? 120 : 300, parallel: 1024, timeScale: 5, runs: quick ? 1 : 2 },
  };
}

/** The plan {@link benchPlan} returns. */
export type BenchPlan = ReturnType<typeof benchPlan>;

/**
 * The scenarios `--only` names (without it, all but {@link OPT_IN_SCENARIOS}).
 * @throws Error naming an unknown scenario.
 */
export function selectedScenarios(only: string | undefined): Set<Scenario> {
  const names = only
    ? only.split(",").map((s) => s.trim())
    : SCENARIOS.filter((s) => !OPT_IN_SCENARIOS.has(s));
  for (const s of names) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario ${s}: ${SCENARIOS}`);
  }
  return new Set(names as Scenario[]);
}
