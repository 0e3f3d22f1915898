/** Section 1 of the table: the throughput runs. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, NONE } from "./figureRow";
import type { TableRow } from "./table";
import type { ThroughputRun } from "./throughput";

/** The throughput section from its runs. */
export function throughputRows(tp: BenchPlan["throughput"], runs: readonly ThroughputRun[]): TableRow[] {
  const of = (pick: (r: ThroughputRun) => number) => runs.map(pick);
  return [
    {
      section: `1. Throughput: ${tp.n} collections, one up, parallel ${tp.parallel}, time scale x${tp.timeScale}`,
    },
    figure(
      "sustained rate / ceiling (100 per emulated min)",
      of((r) => r.ratio),
      fixed(3),
      { text: ">= 0.95", ok: (v) => v >= 0.95 },
    ),
    figure(
      "  lag per window beyond 1 emulated min (real ms)",
      of((r) => r.windowLagMs),
      fixed(0),
    ),
    figure(
      "  same lag at real time: projected ratio",
      of((r) => r.realTimeRatio),
      fixed(3),
    ),
    figure(
      "429 responses",
      of((r) => r.throttled),
      integer,
      NONE,
    ),
    figure(
      "POSTs per collection",
      of((r) => r.postsPerCollection),
      fixed(2),
      { text: "1.00", ok: (v) => v === 1 },
    ),
    figure(
      "401 responses (token expired before the POST)",
      of((r) => r.unauthorized),
      integer,
    ),
    figure(
      "token requests per deployment",
      of((r) => r.tokenRequests),
      integer,
    ),
    figure(
      "busiest emulated minute (POSTs)",
      of((r) => r.busiestMinute),
      integer,
      { text: "<= 100", ok: (v) => v <= 100 },
    ),
    figure(
      "first to last POST (emulated min)",
      of((r) => r.postSpanMinutes),
      fixed(2),
    ),
    figure(
      "up wall time (real s)",
      of((r) => r.upSeconds),
      fixed(1),
    ),
  ];
}
