/** Section 7 of the table: `pulumi refresh` of a fleet of finished collections. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, NONE } from "./figureRow";
import type { FinishedFleet, RefreshPair, RefreshRun } from "./refreshFleet";
import type { TableRow } from "./table";

function variantRows(label: string, n: number, runs: readonly RefreshRun[]): TableRow[] {
  const of = (pick: (r: RefreshRun) => number) => runs.map(pick);
  return [
    figure(
      `read calls (getAction + listActions), ${label}`,
      of((r) => r.readCalls),
      integer,
      { text: "<= 5", ok: (v) => v <= 5 },
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
      `refresh duration (emulated min = real min), ${label}`,
      of((r) => r.minutes),
      fixed(2),
      { text: "< 1", ok: (v) => v < 1 },
    ),
    figure(
      `429 responses, ${label}`,
      of((r) => r.throttled),
      integer,
      NONE,
    ),
    figure(
      `collections refreshed to Succeeded, ${label}`,
      of((r) => r.succeeded),
      integer,
      { text: String(n), ok: (v) => v === n },
    ),
  ];
}

/** The refresh section from its pairs of runs and the setup they shared. */
export function refreshRows(
  rf: BenchPlan["refresh"],
  fleet: Pick<FinishedFleet, "batches" | "setupSeconds" | "setupThrottled">,
  pairs: readonly RefreshPair[],
  defaultParallel: number,
): TableRow[] {
  const engineDefault = Number.isFinite(defaultParallel)
    ? `default parallel ${defaultParallel}`
    : "engine's default parallel";
  return [
    {
      section: `7. Refresh: ${rf.n} finished collections in state, real time (x1), real limits`,
    },
    ...variantRows(
      engineDefault,
      rf.n,
      pairs.map((p) => p.engineDefault),
    ),
    ...variantRows(
      `parallel ${rf.parallel}`,
      rf.n,
      pairs.map((p) => p.wide),
    ),
    figure(`setup: ${fleet.batches} ups of at most 100, no wait (real s)`, [fleet.setupSeconds], fixed(1)),
    figure("setup: 429 responses", [fleet.setupThrottled], integer, NONE),
  ];
}
