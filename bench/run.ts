/**
 * `npm run bench`: the provider against the API quota, on the real engine and the emulator with its
 * real limits, time-scaled so the whole bench takes minutes. Prints one table, then the date, the
 * machine and the scales. Figures and their definitions: bench/README.md.
 *
 * Options: `--only=throughput,hourCap,overhead,naive` runs a subset; `--quick` shrinks every N and
 * runs once (a smoke test of the bench itself, not a measurement).
 */
import { parseArgs } from "node:util";
import { runHourCap } from "./hourCap";
import { loadAverage, machineInfo } from "./machineInfo";
import { runNaive } from "./naiveBaseline";
import { runOverhead } from "./overhead";
import { minuteMs } from "./postTimeline";
import { summarize } from "./stats";
import { type FigureRow, renderTable, type TableRow } from "./table";
import { runThroughput } from "./throughput";

const SCENARIOS = ["throughput", "hourCap", "overhead", "naive"] as const;
type Scenario = (typeof SCENARIOS)[number];

/** What each scenario deploys, at which time scale, how many times. */
function plan(quick: boolean) {
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
  };
}

function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function repeat<T>(label: string, runs: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    progress(`${label}: run ${i + 1}/${runs}, load ${loadAverage()}`);
    const result = await run(i);
    results.push(result);
    progress(`${label}: run ${i + 1}/${runs} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const error = (result as { error?: unknown }).error;
    if (typeof error === "string") progress(`${label}: run ${i + 1}/${runs}: the up failed: ${error}`);
  }
  return results;
}

const fixed = (digits: number) => (v: number) => v.toFixed(digits);
const integer = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const mib = (v: number) => (v / 2 ** 20).toFixed(0);

/** A figure with a target judged on its worst run. */
function figure(
  label: string,
  values: number[],
  format: (v: number) => string,
  target?: { text: string; ok: (v: number) => boolean },
): FigureRow {
  // A run that could not produce the figure (NaN) is left out; with none left the figure is n/a, and a
  // target it had is missed.
  const measured = values.filter(Number.isFinite);
  const summary = measured.length > 0 ? summarize(measured) : undefined;
  if (!target) return { label, summary, format };
  const met = measured.length === values.length && values.every(target.ok);
  return { label, summary, format, target: target.text, verdict: met ? "met" : "missed" };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: "string" }, quick: { type: "boolean", default: false } },
  });
  const only = new Set<Scenario>(
    values.only ? (values.only.split(",").map((s) => s.trim()) as Scenario[]) : SCENARIOS,
  );
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}: ${SCENARIOS}`);
  const p = plan(values.quick ?? false);
  const started = new Date();
  const startLoad = loadAverage();
  const machine = await machineInfo();
  const rows: TableRow[] = [];

  const tp = only.has("throughput") || only.has("naive") ? p.throughput : undefined;
  const throughput = tp
    ? await repeat("throughput", tp.runs, () =>
        runThroughput({ n: tp.n, parallel: tp.parallel, timeScale: tp.timeScale }),
      )
    : [];
  if (only.has("throughput") && tp) {
    rows.push(
      {
        section: `1. Throughput: ${tp.n} collections, one up, parallel ${tp.parallel}, time scale x${tp.timeScale}`,
      },
      figure(
        "sustained rate / ceiling (100 per emulated min)",
        throughput.map((r) => r.ratio),
        fixed(3),
        { text: ">= 0.95", ok: (v) => v >= 0.95 },
      ),
      figure(
        "  lag per window beyond 1 emulated min (real ms)",
        throughput.map((r) => r.windowLagMs),
        fixed(0),
      ),
      figure(
        "  same lag at real time: projected ratio",
        throughput.map((r) => r.realTimeRatio),
        fixed(3),
      ),
      figure(
        "429 responses",
        throughput.map((r) => r.throttled),
        integer,
        { text: "0", ok: (v) => v === 0 },
      ),
      figure(
        "POSTs per collection",
        throughput.map((r) => r.postsPerCollection),
        fixed(2),
        { text: "1.00", ok: (v) => v === 1 },
      ),
      figure(
        "401 responses (token expired before the POST)",
        throughput.map((r) => r.unauthorized),
        integer,
      ),
      figure(
        "token requests per deployment",
        throughput.map((r) => r.tokenRequests),
        integer,
      ),
      figure(
        "busiest emulated minute (POSTs)",
        throughput.map((r) => r.busiestMinute),
        integer,
        { text: "<= 100", ok: (v) => v <= 100 },
      ),
      figure(
        "first to last POST (emulated min)",
        throughput.map((r) => r.postSpanMinutes),
        fixed(2),
      ),
      figure(
        "up wall time (real s)",
        throughput.map((r) => r.upSeconds),
        fixed(1),
      ),
    );
  }

  if (only.has("hourCap")) {
    const hc = p.hourCap;
    const [run] = await repeat("hour cap", hc.runs, () =>
      runHourCap({ n: hc.n, parallel: hc.parallel, timeScale: hc.timeScale }),
    );
    if (!run) throw new Error("the hour cap did not run");
    const one = (
      label: string,
      v: number,
      format: (v: number) => string,
      target?: Parameters<typeof figure>[3],
    ) => figure(label, [v], format, target);
    rows.push(
      {
        section: `2. Hour cap: ${hc.n} collections, one up, parallel ${hc.parallel}, time scale x${hc.timeScale}`,
      },
      one("1st to 1501st POST (emulated min)", run.firstToOverCapMinutes, fixed(1), {
        text: ">= 60",
        ok: (v) => v >= 60,
      }),
      one("1500th to 1501st POST: the wait (emulated min)", run.overCapWaitMinutes, fixed(1)),
      one("1st to 1500th POST (emulated min)", run.firstToCapMinutes, fixed(1)),
      one("429 responses", run.throttled, integer, { text: "0", ok: (v) => v === 0 }),
      one("busiest emulated hour (POSTs)", run.busiestHour, integer, {
        text: "<= 1500",
        ok: (v) => v <= 1500,
      }),
      one("busiest emulated minute (POSTs)", run.busiestMinute, integer, {
        text: "<= 100",
        ok: (v) => v <= 100,
      }),
      one("POSTs per collection", run.postsPerCollection, fixed(2), { text: "1.00", ok: (v) => v === 1 }),
      one("401 responses (token expired before the POST)", run.unauthorized, integer),
      one("token requests per deployment", run.tokenRequests, integer),
      one("resources created", run.created, integer, { text: String(hc.n), ok: (v) => v === hc.n }),
      one("up wall time (real s)", run.upSeconds, fixed(1)),
    );
  }

  if (only.has("overhead")) {
    const oh = p.overhead;
    // Interleaved, alternating which goes first, so drifting load on a shared machine hits both alike.
    const runPair = (checkpoints: boolean) => async (i: number) => {
      const order = i % 2 === 0 ? (["noop", "collection"] as const) : (["collection", "noop"] as const);
      const [a, b] = [
        await runOverhead({ kind: order[0], n: oh.n, parallel: oh.parallel, checkpoints }),
        await runOverhead({ kind: order[1], n: oh.n, parallel: oh.parallel, checkpoints }),
      ];
      return a.kind === "collection" ? { collection: a, noop: b } : { collection: b, noop: a };
    };
    const withCheckpoints = await repeat("overhead, default engine", oh.runs, runPair(true));
    const without = await repeat("overhead, no checkpoints", oh.runs, runPair(false));
    const all = [...withCheckpoints, ...without];
    rows.push(
      {
        section: `3. Overhead: ${oh.n} collections (emulator unthrottled) vs ${oh.n} no-op dynamic resources, parallel ${oh.parallel}`,
      },
      figure(
        "time ratio collections / no-op, default engine",
        withCheckpoints.map((r) => r.collection.upSeconds / r.noop.upSeconds),
        fixed(2),
        { text: "<= 1.3", ok: (v) => v <= 1.3 },
      ),
      figure(
        "  up wall time, collections (s)",
        withCheckpoints.map((r) => r.collection.upSeconds),
        fixed(1),
      ),
      figure(
        "  up wall time, no-op (s)",
        withCheckpoints.map((r) => r.noop.upSeconds),
        fixed(1),
      ),
      figure(
        "time ratio, PULUMI_SKIP_CHECKPOINTS=true",
        without.map((r) => r.collection.upSeconds / r.noop.upSeconds),
        fixed(2),
        { text: "<= 1.3", ok: (v) => v <= 1.3 },
      ),
      figure(
        "  up wall time, collections (s)",
        without.map((r) => r.collection.upSeconds),
        fixed(1),
      ),
      figure(
        "  up wall time, no-op (s)",
        without.map((r) => r.noop.upSeconds),
        fixed(1),
      ),
      figure(
        "provider CPU time, collections (s)",
        withCheckpoints.map((r) => r.collection.providerCpuSeconds),
        fixed(1),
      ),
      figure(
        "provider CPU time, no-op (s)",
        withCheckpoints.map((r) => r.noop.providerCpuSeconds),
        fixed(1),
      ),
      figure(
        "engine CPU time, collections (s)",
        withCheckpoints.map((r) => r.collection.engineCpuSeconds),
        fixed(1),
      ),
      figure(
        "engine CPU time, no-op (s)",
        withCheckpoints.map((r) => r.noop.engineCpuSeconds),
        fixed(1),
      ),
      figure(
        "  engine CPU time, collections, no checkpoints (s)",
        without.map((r) => r.collection.engineCpuSeconds),
        fixed(1),
      ),
      figure(
        "  engine CPU time, no-op, no checkpoints (s)",
        without.map((r) => r.noop.engineCpuSeconds),
        fixed(1),
      ),
      figure(
        "provider peak RSS, collections (MiB)",
        all.map((r) => r.collection.providerPeakBytes),
        mib,
      ),
      figure(
        "provider peak RSS, no-op (MiB)",
        all.map((r) => r.noop.providerPeakBytes),
        mib,
      ),
      { section: "4. State weight: exported state of the overhead runs" },
      figure(
        "serialized provider (__provider), bytes",
        all.map((r) => r.collection.providerTextBytes),
        integer,
        { text: "< 4096", ok: (v) => v < 4096 },
      ),
      figure(
        "  stored per resource (inputs + outputs), bytes",
        all.map((r) => 2 * r.collection.providerTextBytes),
        integer,
      ),
      figure(
        "exported state per collection resource, bytes",
        all.map((r) => r.collection.stateBytesPerResource),
        integer,
      ),
      figure(
        "serialized no-op provider, bytes",
        all.map((r) => r.noop.providerTextBytes),
        integer,
      ),
      figure(
        "exported state per no-op resource, bytes",
        all.map((r) => r.noop.stateBytesPerResource),
        integer,
      ),
    );
    const processes = all.flatMap((r) => [r.collection.providerProcesses, r.noop.providerProcesses]);
    if (processes.some((n) => n !== 1)) progress(`note: provider processes per up were ${processes}`);
  }

  if (only.has("naive")) {
    const nv = p.naive;
    const plain = await repeat("naive, pulumi up", nv.runs, () =>
      runNaive({ n: nv.n, parallel: nv.parallel, timeScale: nv.timeScale, continueOnError: false }),
    );
    const coe = await repeat("naive, --continue-on-error", nv.runs, () =>
      runNaive({ n: nv.n, parallel: nv.parallel, timeScale: nv.timeScale, continueOnError: true }),
    );
    const ours = throughput;
    rows.push(
      {
        section: `5. Naive fetch provider vs ours: ${nv.n} collections, parallel ${nv.parallel}, emulator limits, x${nv.timeScale}`,
      },
      figure(
        "created: ours",
        ours.map((r) => r.created),
        integer,
      ),
      figure(
        "created: naive, pulumi up",
        plain.map((r) => r.created),
        integer,
      ),
      figure(
        "created: naive, up --continue-on-error",
        coe.map((r) => r.created),
        integer,
      ),
      figure(
        "failed: ours",
        ours.map((r) => r.failed),
        integer,
      ),
      figure(
        "failed on 429: naive, pulumi up",
        plain.map((r) => r.failedOn429),
        integer,
      ),
      figure(
        "failed on 429: naive, up --continue-on-error",
        coe.map((r) => r.failedOn429),
        integer,
      ),
      figure(
        "never attempted: naive, pulumi up",
        plain.map((r) => r.notAttempted),
        integer,
      ),
      figure(
        "up wall time (real s): ours",
        ours.map((r) => r.upSeconds),
        fixed(1),
      ),
      figure(
        "up wall time (real s): naive, pulumi up",
        plain.map((r) => r.upSeconds),
        fixed(1),
      ),
      figure(
        "up wall time (real s): naive, --continue-on-error",
        coe.map((r) => r.upSeconds),
        fixed(1),
      ),
    );
    const other = [...plain, ...coe].reduce((sum, r) => sum + r.failedOther, 0);
    if (other > 0) progress(`note: ${other} naive resources failed with something other than 429`);
  }

  const minutes = (Date.now() - started.getTime()) / 60_000;
  const scale = (x: number) => `x${x} (1 emulated minute = ${(minuteMs(x) / 1000).toFixed(1)} real s)`;
  const footer = [
    `Date: ${started.toISOString()}; the bench took ${minutes.toFixed(1)} min.`,
    `Machine: ${machine.cpus} CPUs, ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB, ${machine.os}; Node ${machine.nodeVersion}, pulumi v${machine.pulumiVersion}.`,
    `Load average (1, 5, 15 min): ${startLoad} at start, ${loadAverage()} at end (a shared machine: expect noise).`,
    `Time scales (emulator timeScale = provider mde:timeScale): throughput and naive ${scale(p.throughput.timeScale)}; hour cap ${scale(p.hourCap.timeScale)}; overhead real time, limits off.`,
    `Runs: throughput ${p.throughput.runs}, hour cap ${p.hourCap.runs} (the longest scenario), overhead ${p.overhead.runs} pairs per engine setting, naive ${p.naive.runs} per variant; verdicts judge the worst run.`,
    "Engine: PULUMI_SKIP_CHECKPOINTS=true (state written once, at the end) except the overhead rows marked default engine; see bench/README.md.",
  ];
  if (values.quick) footer.unshift("QUICK MODE: reduced N, single runs; not a measurement.");
  process.stdout.write(`${renderTable(rows)}\n\n${footer.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
