/** Section 5 of the table: the naive provider beside ours (the throughput runs). */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer } from "./figureRow";
import type { NaiveRun } from "./naiveBaseline";
import type { TableRow } from "./table";
import type { ThroughputRun } from "./throughput";

/** The naive-baseline section from its two variants and our throughput runs. */
export function naiveRows(
  nv: BenchPlan["naive"],
  ours: readonly ThroughputRun[],
  plain: readonly NaiveRun[],
  coe: readonly NaiveRun[],
): TableRow[] {
  return [
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
  ];
}
