/** Section 8 of the table: package downloads, their link budget and the provider's memory. */
import type { BenchPlan } from "./benchPlan";
import type { MemoryPair } from "./downloadMemory";
import type { DownloadPacingRun } from "./downloadPacing";
import { figure, fixed, integer, mib, NONE } from "./figureRow";
import type { TableRow } from "./table";

/** Bytes as a size label: `10 MiB`, `1 GiB`. */
export function sizeLabel(bytes: number): string {
  return bytes >= 2 ** 30 && bytes % 2 ** 30 === 0
    ? `${bytes / 2 ** 30} GiB`
    : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** The download section from the pacing runs and the memory pairs. */
export function downloadRows(
  dl: BenchPlan["download"],
  pacing: readonly DownloadPacingRun[],
  memory: readonly MemoryPair[],
): TableRow[] {
  const of = (pick: (r: DownloadPacingRun) => number) => pacing.map(pick);
  const small = sizeLabel(dl.memory.smallBytes);
  const large = sizeLabel(dl.memory.largeBytes);
  return [
    {
      section: `8. Download: ${dl.n} packages, one up, parallel ${dl.parallel}, x${dl.timeScale}; memory: ${small} vs ${large}`,
    },
    figure(
      "GetPackageUri rate / ceiling (2 per emulated min)",
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
      "GetPackageUri calls per download",
      of((r) => r.linksPerDownload),
      fixed(2),
    ),
    figure(
      "busiest emulated minute (GetPackageUri)",
      of((r) => r.busiestMinute),
      integer,
      { text: "<= 2", ok: (v) => v <= 2 },
    ),
    figure(
      "429 responses",
      of((r) => r.throttled),
      integer,
      NONE,
    ),
    figure(
      "packages downloaded intact",
      of((r) => r.downloaded),
      integer,
      { text: String(dl.n), ok: (v) => v === dl.n },
    ),
    figure(
      "up wall time (real s)",
      of((r) => r.upSeconds),
      fixed(1),
    ),
    figure(
      `provider peak RSS, ${small} package (MiB)`,
      memory.map((m) => m.small.providerPeakBytes),
      mib,
    ),
    figure(
      `provider peak RSS, ${large} package (MiB)`,
      memory.map((m) => m.large.providerPeakBytes),
      mib,
    ),
    figure(
      `  difference, ${large} - ${small} (MiB)`,
      memory.map((m) => m.large.providerPeakBytes - m.small.providerPeakBytes),
      mib,
      { text: "< 64", ok: (v) => v < 64 * 2 ** 20 },
    ),
    figure(
      `  up wall time, ${large} package (real s)`,
      memory.map((m) => m.large.upSeconds),
      fixed(1),
    ),
  ];
}
