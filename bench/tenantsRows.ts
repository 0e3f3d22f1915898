/** Section 12 of the table: K tenants in one `up` beside one tenant alone. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, NONE } from "./figureRow";
import type { TableRow } from "./table";
import type { TenantsRun } from "./tenants";

/** One repetition: the same N, one tenant alone and K tenants together. */
export interface TenantsPair {
  readonly alone: TenantsRun;
  readonly together: TenantsRun;
}

const worst = (values: readonly number[], pick: (a: number, b: number) => number) =>
  values.length > 0 ? values.reduce((a, b) => pick(a, b)) : Number.NaN;

/** Real seconds of the `up` after its last POST (the engine finishing and writing state). */
const tail = (r: TenantsRun) => r.upSeconds - r.firstPostSeconds - r.postSpanSeconds;

/**
 * The `up`'s seconds had the emulator run at real time: the POST span (the quota's part) stretched by the
 * time scale, the engine's own time (before the first POST, after the last) as measured. A projection.
 */
const atRealTime = (r: TenantsRun, timeScale: number) => r.upSeconds + (timeScale - 1) * r.postSpanSeconds;

/** The tenants section from its pairs. */
export function tenantsRows(tn: BenchPlan["tenants"], pairs: readonly TenantsPair[]): TableRow[] {
  const of = (pick: (p: TenantsPair) => number) => pairs.map(pick);
  const perTenant = (r: TenantsRun, pick: (t: TenantsRun["tenants"][number]) => number) =>
    r.tenants.map(pick);
  return [
    {
      section: `12. Tenants: ${tn.k} tenants x ${tn.n} collections in one up (a profile each) vs 1 x ${tn.n}, parallel ${tn.parallel}, time scale x${tn.timeScale}`,
    },
    figure(
      `up time ${tn.k} tenants / 1 tenant`,
      of((p) => p.together.upSeconds / p.alone.upSeconds),
      fixed(3),
      { text: "<= 1.15", ok: (v) => v <= 1.15 },
    ),
    figure(
      "  up wall time, 1 tenant (real s)",
      of((p) => p.alone.upSeconds),
      fixed(1),
    ),
    figure(
      `  up wall time, ${tn.k} tenants (real s)`,
      of((p) => p.together.upSeconds),
      fixed(1),
    ),
    figure(
      "  up start to first POST, 1 tenant (real s)",
      of((p) => p.alone.firstPostSeconds),
      fixed(1),
    ),
    figure(
      `  up start to first POST, ${tn.k} tenants (real s)`,
      of((p) => p.together.firstPostSeconds),
      fixed(1),
    ),
    figure(
      "  last POST to up end, 1 tenant (real s)",
      of((p) => tail(p.alone)),
      fixed(1),
    ),
    figure(
      `  last POST to up end, ${tn.k} tenants (real s)`,
      of((p) => tail(p.together)),
      fixed(1),
    ),
    figure(
      "  same engine time at real time: projected ratio",
      of((p) => atRealTime(p.together, tn.timeScale) / atRealTime(p.alone, tn.timeScale)),
      fixed(3),
    ),
    figure(
      "busiest emulated minute of any tenant (POSTs)",
      of((p) =>
        worst(
          perTenant(p.together, (t) => t.busiestMinute),
          Math.max,
        ),
      ),
      integer,
      { text: "<= 100", ok: (v) => v <= 100 },
    ),
    figure(
      "  slowest tenant: sustained rate / ceiling",
      of((p) =>
        worst(
          perTenant(p.together, (t) => t.sustainedRatio),
          Math.min,
        ),
      ),
      fixed(3),
    ),
    figure(
      "  1 tenant alone: sustained rate / ceiling",
      of((p) => p.alone.tenants[0]?.sustainedRatio ?? Number.NaN),
      fixed(3),
    ),
    figure(
      "  slowest tenant: first to last POST (emulated min)",
      of((p) =>
        worst(
          perTenant(p.together, (t) => t.spanMinutes),
          Math.max,
        ),
      ),
      fixed(2),
    ),
    figure(
      "  1 tenant alone: first to last POST (emulated min)",
      of((p) => p.alone.tenants[0]?.spanMinutes ?? Number.NaN),
      fixed(2),
    ),
    figure(
      "429 responses (both ups, any route)",
      of((p) => p.alone.throttled + p.together.throttled),
      integer,
      NONE,
    ),
    figure(
      "POSTs per collection (worst tenant)",
      of((p) =>
        worst(
          perTenant(p.together, (t) => t.postsPerCollection),
          Math.max,
        ),
      ),
      fixed(2),
      { text: "1.00", ok: (v) => v === 1 },
    ),
    figure(
      `collections created of ${tn.k * tn.n} + ${tn.n}`,
      of((p) => p.together.created + p.alone.created),
      integer,
      { text: String((tn.k + 1) * tn.n), ok: (v) => v === (tn.k + 1) * tn.n },
    ),
  ];
}
