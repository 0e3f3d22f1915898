/** Section 2 of the table: the one hour-cap run. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, NONE, type Target } from "./figureRow";
import type { HourCapRun } from "./hourCap";
import type { TableRow } from "./table";

/** The hour-cap section from its run. */
export function hourCapRows(hc: BenchPlan["hourCap"], run: HourCapRun): TableRow[] {
  const one = (label: string, v: number, format: (v: number) => string, target?: Target) =>
    figure(label, [v], format, target);
  return [
    {
      section: `2. Hour cap: ${hc.n} collections, one up, parallel ${hc.parallel}, time scale x${hc.timeScale}`,
    },
    one("1st to 1501st POST (emulated min)", run.firstToOverCapMinutes, fixed(1), {
      text: ">= 60",
      ok: (v) => v >= 60,
    }),
    one("1500th to 1501st POST: the wait (emulated min)", run.overCapWaitMinutes, fixed(1)),
    one("1st to 1500th POST (emulated min)", run.firstToCapMinutes, fixed(1)),
    one("429 responses", run.throttled, integer, NONE),
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
  ];
}
