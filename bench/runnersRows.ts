/** Section 10 of the table: several runners on one application's quota. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, NONE, type Target } from "./figureRow";
import type { RunnersRun } from "./runners";
import type { TableRow } from "./table";

/** The three runs of the section. */
export interface RunnersRuns {
  readonly together: RunnersRun[];
  readonly withForeign: RunnersRun[];
  readonly hourSpent: RunnersRun[];
}

const atLeast = (x: number): Target => ({ text: `>= ${x}`, ok: (v) => v >= x });
const atMost = (x: number): Target => ({ text: `<= ${x}`, ok: (v) => v <= x });
const all = (n: number): Target => ({ text: String(n), ok: (v) => v === n });

/** Last / first of the runners' durations, each from its own first POST: without the engines' start-up skew. */
function ownDurationRatio(r: RunnersRun): number {
  const own = r.finishMinutes.map((f, i) => f - (r.startMinutes[i] ?? 0));
  return Math.max(...own) / Math.min(...own);
}

function sharing(runs: RunnersRun[]): TableRow[] {
  const declared = runs[0]?.declared ?? 0;
  return [
    figure(
      "quota's minute used (admitted / 100)",
      runs.map((r) => r.combinedRatio),
      fixed(3),
      atLeast(0.9),
    ),
    figure(
      "sustained rate / ceiling (as in 1.)",
      runs.map((r) => r.sustainedRatio),
      fixed(3),
    ),
    figure(
      "429s per collection",
      runs.map((r) => r.throttledPerCollection),
      fixed(3),
      atMost(0.1),
    ),
    figure(
      "last finisher / first finisher",
      runs.map((r) => r.finishRatio),
      fixed(2),
      atMost(1.3),
    ),
    figure("the same, each from its own first POST", runs.map(ownDurationRatio), fixed(2)),
    figure(
      "start skew: last runner's first POST (emulated min)",
      runs.map((r) => Math.max(...r.startMinutes)),
      fixed(2),
    ),
    figure(
      "first finisher (emulated min)",
      runs.map((r) => Math.min(...r.finishMinutes)),
      fixed(2),
    ),
    figure(
      "last finisher (emulated min)",
      runs.map((r) => Math.max(...r.finishMinutes)),
      fixed(2),
    ),
    figure(
      "collections created",
      runs.map((r) => r.created),
      integer,
      all(declared),
    ),
    figure(
      "devices with two accepted POSTs",
      runs.map((r) => r.duplicated),
      integer,
      NONE,
    ),
    figure(
      "failed ups",
      runs.map((r) => r.failedUps),
      integer,
      NONE,
    ),
    figure(
      "all ups, wall time (real s)",
      runs.map((r) => r.seconds),
      fixed(1),
    ),
  ];
}

/** The runners section from its runs. */
export function runnersRows(rn: BenchPlan["runners"], runs: RunnersRuns): TableRow[] {
  const declaredSpent = runs.hourSpent[0]?.declared ?? 0;
  return [
    {
      section: `10a. Runners: ${rn.k} stacks x ${rn.n} collections on one app, started together, default settings, x${rn.timeScale}`,
    },
    ...sharing(runs.together),
    {
      section: `10b. The same with a foreign client of the app at ${rn.foreignPerMinute}/min`,
    },
    ...sharing(runs.withForeign),
    figure(
      "foreign client: accepted / sent",
      runs.withForeign.map((r) => r.foreignKept),
      fixed(3),
      atLeast(0.9),
    ),
    {
      section: `10c. ${rn.hourSpent.k} stacks x ${rn.hourSpent.n} collections, ${rn.hourSpent.spent} of the hour's 1500 spent by others, x${rn.hourSpent.timeScale}`,
    },
    figure(
      "collections created",
      runs.hourSpent.map((r) => r.created),
      integer,
      all(declaredSpent),
    ),
    figure(
      "failed ups",
      runs.hourSpent.map((r) => r.failedUps),
      integer,
      NONE,
    ),
    figure(
      "devices with two accepted POSTs",
      runs.hourSpent.map((r) => r.duplicated),
      integer,
      NONE,
    ),
    figure(
      "429s per collection",
      runs.hourSpent.map((r) => r.throttledPerCollection),
      fixed(3),
    ),
    figure(
      "last finisher (emulated min)",
      runs.hourSpent.map((r) => Math.max(...r.finishMinutes)),
      fixed(1),
    ),
    figure(
      "all ups, wall time (real s)",
      runs.hourSpent.map((r) => r.seconds),
      fixed(1),
    ),
  ];
}
