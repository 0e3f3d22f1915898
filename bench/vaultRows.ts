/** Section 8b of the table: a package into a blob container, its memory and its time beside a plain copy. */
import type { BenchPlan } from "./benchPlan";
import { sizeLabel } from "./downloadRows";
import { figure, fixed, mib } from "./figureRow";
import type { TableRow } from "./table";
import type { VaultPair } from "./vaultRun";

/** Mean of the plain copies of a run (before and after the provider's download); NaN when none. */
function plainMean(seconds: readonly number[]): number {
  return seconds.length > 0 ? seconds.reduce((sum, s) => sum + s, 0) / seconds.length : Number.NaN;
}

/** The vault section from its pairs. */
export function vaultRows(v: BenchPlan["vault"], pairs: readonly VaultPair[]): TableRow[] {
  const small = sizeLabel(v.smallBytes);
  const large = sizeLabel(v.largeBytes);
  const mibPerSecond = (bytes: number, seconds: number) => bytes / 2 ** 20 / seconds;
  return [
    {
      section: `8b. Vault: one package into a blob container (Azurite), x${v.timeScale}; ${small} vs ${large}`,
    },
    figure(
      `provider peak RSS, ${small} package (MiB)`,
      pairs.map((p) => p.small.providerPeakBytes),
      mib,
    ),
    figure(
      `provider peak RSS, ${large} package (MiB)`,
      pairs.map((p) => p.large.providerPeakBytes),
      mib,
    ),
    figure(
      `  difference, ${large} - ${small} (MiB)`,
      pairs.map((p) => p.large.providerPeakBytes - p.small.providerPeakBytes),
      mib,
      { text: "< 64", ok: (v) => v < 64 * 2 ** 20 },
    ),
    figure(
      `provider: link GET to manifest blob, ${large} (real s)`,
      pairs.map((p) => p.large.providerSeconds),
      fixed(1),
    ),
    figure(
      "  of which after the last byte arrived (real s)",
      pairs.map((p) => p.large.afterLastByteSeconds),
      fixed(1),
    ),
    figure(
      `  provider CPU time, whole up, ${large} (s)`,
      pairs.map((p) => p.large.providerCpuSeconds),
      fixed(1),
    ),
    figure(
      `plain copy: link GET into one Put Blob, ${large} (real s)`,
      pairs.map((p) => plainMean(p.large.plainSeconds)),
      fixed(1),
    ),
    figure(
      "  time ratio, provider / plain copy",
      pairs.map((p) => p.large.providerSeconds / plainMean(p.large.plainSeconds)),
      fixed(2),
      { text: "<= 1.3", ok: (v) => v <= 1.3 },
    ),
    figure(
      "  provider throughput (MiB/s)",
      pairs.map((p) => mibPerSecond(p.large.packageBytes, p.large.providerSeconds)),
      fixed(0),
    ),
    figure(
      `  up wall time, ${large} package (real s)`,
      pairs.map((p) => p.large.upSeconds),
      fixed(1),
    ),
  ];
}
