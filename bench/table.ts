/**
 * The bench's one table: plain text, columns aligned with spaces, section titles as full-width rows,
 * so it reads the same in a terminal, a CI log and a Markdown code block.
 */
import type { Summary } from "./stats";

/** One measured figure. */
export interface FigureRow {
  readonly label: string;
  /** Undefined when no run produced the figure (e.g. a failed deployment): printed as `n/a`. */
  readonly summary: Summary | undefined;
  /** Formats one value (e.g. fixed decimals, a unit). */
  readonly format: (value: number) => string;
  /** The target as printed, e.g. ">= 0.95"; empty for figures without one. */
  readonly target?: string;
  /** `met`/`missed` when there is a target, judged on the worst run. */
  readonly verdict?: "met" | "missed";
}

/** A section title. */
export interface SectionRow {
  readonly section: string;
}

/** A row of the table. */
export type TableRow = FigureRow | SectionRow;

const HEADER = ["figure", "runs", "min", "median", "max", "target", "verdict"] as const;

/** Renders `rows` as an aligned plain-text table. */
export function renderTable(rows: readonly TableRow[]): string {
  const cells: string[][] = rows
    .filter((r): r is FigureRow => "label" in r)
    .map((r) => [
      r.label,
      String(r.summary?.runs ?? 0),
      r.summary ? r.format(r.summary.min) : "n/a",
      r.summary ? r.format(r.summary.median) : "n/a",
      r.summary ? r.format(r.summary.max) : "n/a",
      r.target ?? "",
      r.verdict ?? "",
    ]);
  const widths = HEADER.map((h, col) => Math.max(h.length, ...cells.map((c) => (c[col] ?? "").length)));
  // Text left, numbers right: figures of different magnitude then line up on their last digit.
  const line = (c: readonly string[]) =>
    c
      .map((cell, col) =>
        col === 0 || col >= 5 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const total = widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  const out = [line(HEADER), "=".repeat(total)];
  let next = 0;
  for (const row of rows) {
    if ("section" in row) out.push(`-- ${row.section} `.padEnd(total, "-"));
    else out.push(line(cells[next++] ?? []));
  }
  return out.join("\n");
}
