/**
 * Section 9 of the table (only with `--only=waitParallel`): the same waited collections at the engine's
 * default parallelism and at `--parallel n`, side by side. A waiting create holds an engine slot until
 * its collection is final, so at the default the collections start in waves.
 */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer } from "./figureRow";
import type { TableRow } from "./table";
import type { WaitRun } from "./waitForCompletion";

/** One run at each parallelism. */
export interface WaitParallelPair {
  readonly atDefault: WaitRun;
  readonly atN: WaitRun;
}

const reads = (r: WaitRun) => r.getActionCalls + r.listActionsCalls;

/** The rows from the pairs; `defaultParallel` is the engine's default as its help states it. */
export function waitParallelRows(
  w: BenchPlan["waitParallel"],
  pairs: readonly WaitParallelPair[],
  defaultParallel: number,
): TableRow[] {
  const of = (pick: (p: WaitParallelPair) => number) => pairs.map(pick);
  const { pendingSeconds, inProgressSeconds } = w.lifecycle;
  const atDefault = `default parallel ${defaultParallel}`;
  const atN = `parallel ${w.n}`;
  return [
    {
      section: `9. Waiting at the default parallelism: ${w.n} collections with waitForCompletion, ${atDefault} vs ${atN}, x${w.timeScale}, lifecycle ${pendingSeconds} + ${inProgressSeconds} s`,
    },
    figure(
      `up time, ${atDefault} / ${atN}`,
      of((p) => p.atDefault.upMinutes / p.atN.upMinutes),
      fixed(2),
    ),
    figure(
      `  up time, ${atDefault} (emulated min)`,
      of((p) => p.atDefault.upMinutes),
      fixed(2),
    ),
    figure(
      `  up time, ${atN} (emulated min)`,
      of((p) => p.atN.upMinutes),
      fixed(2),
    ),
    figure(
      `status reads, ${atDefault} / ${atN}`,
      of((p) => reads(p.atDefault) / Math.max(1, reads(p.atN))),
      fixed(2),
    ),
    figure(
      `  status reads (getAction + listActions), ${atDefault}`,
      of((p) => reads(p.atDefault)),
      integer,
    ),
    figure(
      `  status reads (getAction + listActions), ${atN}`,
      of((p) => reads(p.atN)),
      integer,
    ),
    figure(
      `notices printed, ${atDefault}`,
      of((p) => p.atDefault.notices),
      integer,
      { text: defaultParallel < w.n ? "1" : "0", ok: (v) => v === (defaultParallel < w.n ? 1 : 0) },
    ),
    figure(
      `notices printed, ${atN}`,
      of((p) => p.atN.notices),
      integer,
      { text: "0", ok: (v) => v === 0 },
    ),
    figure(
      "collections Succeeded in state, both",
      of((p) => Math.min(p.atDefault.succeeded, p.atN.succeeded)),
      integer,
      { text: String(w.n), ok: (v) => v === w.n },
    ),
  ];
}
