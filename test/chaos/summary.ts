/**
 * The chaos table: totals over seeds, then every failing seed with what broke and its step log.
 */
import type { SeedReport } from "./runSeed";

const COLUMNS: Array<[string, (r: SeedReport[]) => number]> = [
  ["seeds", (r) => r.length],
  ["schedules", (r) => sum(r, (x) => x.schedules)],
  ["faults injected", (r) => sum(r, (x) => x.faultsInjected)],
  ["kills", (r) => sum(r, (x) => x.kills)],
  ["ups", (r) => sum(r, (x) => x.ups)],
  ["duplicates", (r) => sum(r, (x) => x.duplicates)],
  ["orphans", (r) => sum(r, (x) => x.orphans)],
  ["skipped re-collections", (r) => sum(r, (x) => x.skippedRecollections)],
  ["lost", (r) => sum(r, (x) => x.lost)],
  ["POSTs after a kill", (r) => sum(r, (x) => x.postsAfterKill)],
  ["of which within the lag", (r) => sum(r, (x) => x.postsNearKill)],
  ["failed seeds", (r) => r.filter((x) => x.failures.length > 0).length],
];

function sum(reports: SeedReport[], of: (r: SeedReport) => number): number {
  return reports.reduce((total, r) => total + of(r), 0);
}

/** A Markdown table of the totals. */
export function totalsTable(reports: SeedReport[]): string {
  const header = `| ${COLUMNS.map(([name]) => name).join(" | ")} |`;
  const rule = `| ${COLUMNS.map(([name]) => `${"-".repeat(Math.max(3, name.length - 1))}:`).join(" | ")} |`;
  const row = `| ${COLUMNS.map(([, of]) => String(of(reports))).join(" | ")} |`;
  return [header, rule, row].join("\n");
}

/** One line per seed, for progress output. */
export function seedLine(r: SeedReport): string {
  const verdict = r.failures.length === 0 ? "ok  " : "FAIL";
  return (
    `${verdict} seed ${r.seed}: ${r.schedules} schedules, ${r.faultsInjected}/${r.faultsScheduled} faults met, ` +
    `${r.kills}/${r.killsPlanned} kills, ${r.ups} ups, ${(r.ms / 1000).toFixed(1)} s`
  );
}

/** Every failing seed: its plan, its failures and its step log. */
export function failureReport(reports: SeedReport[]): string {
  const failed = reports.filter((r) => r.failures.length > 0);
  if (failed.length === 0) return "No failures.";
  return failed
    .map((r) =>
      [
        `seed ${r.seed} (rerun: npm run chaos -- --seed ${r.seed})`,
        `  ${r.plan}`,
        ...r.failures.map((f) => `  FAILURE ${f}`),
        ...r.log.map((l) => `  | ${l}`),
      ].join("\n"),
    )
    .join("\n\n");
}

/** Totals, then the failing seeds with their seeds named. */
export function summary(reports: SeedReport[]): string {
  const failed = reports.filter((r) => r.failures.length > 0).map((r) => r.seed);
  return [
    totalsTable(reports),
    "",
    failed.length ? `Failing seeds: ${failed.join(", ")}` : "Failing seeds: none",
    "",
    failureReport(reports),
  ].join("\n");
}
