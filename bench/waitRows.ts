/** Section 6 of the table: collections waited for in one `up`. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, NONE } from "./figureRow";
import type { TableRow } from "./table";
import type { WaitRun } from "./waitForCompletion";

/** The waiting section from its runs. */
export function waitRows(w: BenchPlan["wait"], runs: readonly WaitRun[]): TableRow[] {
  const of = (pick: (r: WaitRun) => number) => runs.map(pick);
  const { pendingSeconds, inProgressSeconds } = w.lifecycle;
  return [
    {
      section: `6. Waiting: ${w.n} collections with waitForCompletion, one up, parallel ${w.parallel}, x${w.timeScale}, lifecycle ${pendingSeconds} + ${inProgressSeconds} s`,
    },
    figure(
      "up time / ideal",
      of((r) => r.ratio),
      fixed(2),
      { text: "<= 1.2", ok: (v) => v <= 1.2 },
    ),
    figure(
      "  up time (emulated min)",
      of((r) => r.upMinutes),
      fixed(2),
    ),
    figure(
      `  ideal: ${w.n} POSTs at 100/min + lifecycle (emulated min)`,
      of((r) => r.idealMinutes),
      fixed(2),
    ),
    figure(
      "  first to last POST (emulated min)",
      of((r) => r.postSpanMinutes),
      fixed(2),
    ),
    figure(
      "  last collection final to end of up (emulated min)",
      of((r) => r.afterLastFinalMinutes),
      fixed(2),
    ),
    figure(
      "read calls per collection (getAction + listActions)",
      of((r) => r.readsPerCollection),
      fixed(3),
      { text: "<= 0.25", ok: (v) => v <= 0.25 },
    ),
    figure(
      "  getAction calls",
      of((r) => r.getActionCalls),
      integer,
    ),
    figure(
      "  listActions calls",
      of((r) => r.listActionsCalls),
      integer,
    ),
    figure(
      "429 responses",
      of((r) => r.throttled),
      integer,
      NONE,
    ),
    figure(
      "collections Succeeded in state",
      of((r) => r.succeeded),
      integer,
      { text: String(w.n), ok: (v) => v === w.n },
    ),
    figure(
      "up wall time (real s)",
      of((r) => r.upSeconds),
      fixed(1),
    ),
  ];
}
