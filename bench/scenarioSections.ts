/**
 * The scenario registry: for each scenario, how it runs (its repetitions, through {@link repeat}) and
 * which rows of the table it gives. The throughput runs are shared with the naive baseline, which
 * compares against them, so the context runs them once.
 */
import type { BenchPlan, Scenario } from "./benchPlan";
import { downloadMemoryPair } from "./downloadMemory";
import { runDownloadPacing } from "./downloadPacing";
import { downloadRows } from "./downloadRows";
import { runHourCap } from "./hourCap";
import { hourCapRows } from "./hourCapRows";
import { engineDefaultParallel } from "./machineInfo";
import { runNaive } from "./naiveBaseline";
import { naiveRows } from "./naiveRows";
import { runOverheadPair } from "./overhead";
import { overheadRows } from "./overheadRows";
import { progress, repeat } from "./progress";
import { deployFinishedFleet, runRefreshPair } from "./refreshFleet";
import { refreshRows } from "./refreshRows";
import { runRunbook } from "./runbook";
import { runbookRows } from "./runbookRows";
import { runRunners } from "./runners";
import { runnersRows } from "./runnersRows";
import type { TableRow } from "./table";
import { runTenants } from "./tenants";
import { tenantsRows } from "./tenantsRows";
import { runThroughput, type ThroughputRun } from "./throughput";
import { throughputRows } from "./throughputRows";
import { vaultRows } from "./vaultRows";
import { vaultPair } from "./vaultRun";
import { runWaitForCompletion } from "./waitForCompletion";
import { waitParallelRows } from "./waitParallelRows";
import { waitRows } from "./waitRows";

/** What every section gets: the plan, and the throughput runs (run on first use, then kept). */
export interface BenchContext {
  readonly plan: BenchPlan;
  throughputRuns(): Promise<ThroughputRun[]>;
}

/** A context for `plan`. */
export function benchContext(plan: BenchPlan): BenchContext {
  let throughput: Promise<ThroughputRun[]> | undefined;
  return {
    plan,
    throughputRuns() {
      const tp = plan.throughput;
      throughput ??= repeat("throughput", tp.runs, () =>
        runThroughput({ n: tp.n, parallel: tp.parallel, timeScale: tp.timeScale }),
      );
      return throughput;
    },
  };
}

/** Runs one scenario and returns its rows of the table. */
export type Section = (ctx: BenchContext) => Promise<TableRow[]>;

/** Every scenario's section. */
export const SECTIONS: Readonly<Record<Scenario, Section>> = {
  async throughput(ctx) {
    return throughputRows(ctx.plan.throughput, await ctx.throughputRuns());
  },

  async hourCap({ plan: { hourCap: hc } }) {
    const [run] = await repeat("hour cap", hc.runs, () =>
      runHourCap({ n: hc.n, parallel: hc.parallel, timeScale: hc.timeScale }),
    );
    if (!run) throw new Error("the hour cap did not run");
    return hourCapRows(hc, run);
  },

  async overhead({ plan: { overhead: oh } }) {
    const params = { n: oh.n, parallel: oh.parallel };
    const withCheckpoints = await repeat("overhead, default engine", oh.runs, (i) =>
      runOverheadPair({ ...params, checkpoints: true }, i),
    );
    const without = await repeat("overhead, no checkpoints", oh.runs, (i) =>
      runOverheadPair({ ...params, checkpoints: false }, i),
    );
    const processes = [...withCheckpoints, ...without].flatMap((r) => [
      r.collection.providerProcesses,
      r.noop.providerProcesses,
    ]);
    const rows = overheadRows(oh, withCheckpoints, without);
    if (processes.some((n) => n !== 1)) progress(`note: provider processes per up were ${processes}`);
    return rows;
  },

  async naive(ctx) {
    const nv = ctx.plan.naive;
    const plain = await repeat("naive, pulumi up", nv.runs, () =>
      runNaive({ n: nv.n, parallel: nv.parallel, timeScale: nv.timeScale, continueOnError: false }),
    );
    const coe = await repeat("naive, --continue-on-error", nv.runs, () =>
      runNaive({ n: nv.n, parallel: nv.parallel, timeScale: nv.timeScale, continueOnError: true }),
    );
    const rows = naiveRows(nv, await ctx.throughputRuns(), plain, coe);
    const other = [...plain, ...coe].reduce((sum, r) => sum + r.failedOther, 0);
    if (other > 0) progress(`note: ${other} naive resources failed with something other than 429`);
    return rows;
  },

  async wait({ plan: { wait: w } }) {
    const runs = await repeat("wait", w.runs, () =>
      runWaitForCompletion({ n: w.n, parallel: w.parallel, timeScale: w.timeScale, lifecycle: w.lifecycle }),
    );
    return waitRows(w, runs);
  },

  async refresh({ plan: { refresh: rf } }) {
    progress(`refresh setup: ${rf.n} collections in batches of 100`);
    const fleet = await deployFinishedFleet({ n: rf.n, parallel: rf.parallel }, progress);
    try {
      const pairs = await repeat("refresh", rf.runs, (i) => runRefreshPair(fleet, rf.parallel, i));
      return refreshRows(rf, fleet, pairs, await engineDefaultParallel());
    } finally {
      await fleet.close();
    }
  },

  async download({ plan: { download: dl } }) {
    const pacing = await repeat("download, link pacing", dl.runs, () =>
      runDownloadPacing({ n: dl.n, parallel: dl.parallel, timeScale: dl.timeScale, lifecycle: dl.lifecycle }),
    );
    const memory = await repeat("download, memory", dl.memory.runs, (i) => downloadMemoryPair(dl, i));
    return downloadRows(dl, pacing, memory);
  },

  async vault({ plan: { vault: v } }) {
    const pairs = await repeat("vault, memory and time", v.runs, (i) => vaultPair(v, i));
    return vaultRows(v, pairs);
  },

  async waitParallel({ plan: { waitParallel: wp } }) {
    const params = { n: wp.n, timeScale: wp.timeScale, lifecycle: wp.lifecycle };
    const pairs = await repeat("wait at default parallelism vs n", wp.runs, async () => ({
      atDefault: await runWaitForCompletion(params),
      atN: await runWaitForCompletion({ ...params, parallel: wp.n }),
    }));
    return waitParallelRows(wp, pairs, await engineDefaultParallel());
  },

  async runners({ plan: { runners: rn } }) {
    const base = { k: rn.k, n: rn.n, timeScale: rn.timeScale };
    const together = await repeat("runners, together", rn.runs, () => runRunners(base));
    const withForeign = await repeat("runners, beside a foreign client", rn.runs, () =>
      runRunners({ ...base, foreignPerMinute: rn.foreignPerMinute }),
    );
    const hs = rn.hourSpent;
    const hourSpent = await repeat("runners, hour nearly spent", rn.runs, () =>
      runRunners({ k: hs.k, n: hs.n, timeScale: hs.timeScale, spentOfHour: hs.spent }),
    );
    return runnersRows(rn, { together, withForeign, hourSpent });
  },

  async runbook({ plan: { runbook: rb } }) {
    const runs = await repeat("runbook", rb.runs, () =>
      runRunbook({ n: rb.n, parallel: rb.parallel, timeScale: rb.timeScale }),
    );
    return runbookRows(rb, runs);
  },

  async tenants({ plan: { tenants: tn } }) {
    const params = { n: tn.n, parallel: tn.parallel, timeScale: tn.timeScale };
    // Alternating which goes first, so a drift of the machine's load does not favour one side.
    const pairs = await repeat(`tenants, 1 alone and ${tn.k} together`, tn.runs, async (i) => {
      const alone = () => runTenants({ ...params, k: 1 });
      const together = () => runTenants({ ...params, k: tn.k });
      if (i % 2 === 0) return { alone: await alone(), together: await together() };
      const first = await together();
      return { alone: await alone(), together: first };
    });
    return tenantsRows(tn, pairs);
  },
};
