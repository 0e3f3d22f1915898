/** Section 11 of the table: the runbook runs. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, NONE } from "./figureRow";
import { RUNBOOK_FAMILIES, type RunbookRun } from "./runbook";
import type { TableRow } from "./table";

/** Families whose rate has a target (live response is shown against its ceiling too, without one). */
const TARGETED = new Set<string>(["collect", "isolate"]);

/** The runbook section from its runs. */
export function runbookRows(rb: BenchPlan["runbook"], runs: readonly RunbookRun[]): TableRow[] {
  const of = (pick: (r: RunbookRun) => number) => runs.map(pick);
  const rows: TableRow[] = [
    {
      section: `11. Runbook: ${rb.n} devices x (isolate + package + 1 file), one up, parallel ${rb.parallel}, time scale x${rb.timeScale}`,
    },
  ];
  for (const f of RUNBOOK_FAMILIES) {
    const fam = (r: RunbookRun) => r.families[f.family];
    rows.push(
      figure(
        `${f.family}: POST rate / ceiling (${f.perMinute} per emulated min)`,
        of((r) => fam(r).rateRatio),
        fixed(3),
        TARGETED.has(f.family) ? { text: ">= 0.95", ok: (v) => v >= 0.95 } : undefined,
      ),
      figure(
        `  busiest emulated minute (POSTs)`,
        of((r) => fam(r).busiestMinute),
        integer,
        { text: `<= ${f.perMinute}`, ok: (v) => v <= f.perMinute },
      ),
      figure(
        "  first to last POST (emulated min)",
        of((r) => fam(r).spanMinutes),
        fixed(2),
      ),
      figure(
        "  POSTs per device",
        of((r) => fam(r).postsPerDevice),
        fixed(2),
        { text: "1.00", ok: (v) => v === 1 },
      ),
    );
  }
  rows.push(
    figure(
      "429 responses (any route)",
      of((r) => r.throttled),
      integer,
      NONE,
    ),
    figure(
      "resources created",
      of((r) => r.created),
      integer,
      { text: String(3 * rb.n), ok: (v) => v === 3 * rb.n },
    ),
    figure(
      "files stored with the device's SHA-256",
      of((r) => r.filesVerified),
      integer,
      { text: String(rb.n), ok: (v) => v === rb.n },
    ),
    figure(
      "up wall time (real s)",
      of((r) => r.upSeconds),
      fixed(1),
    ),
  );
  return rows;
}
