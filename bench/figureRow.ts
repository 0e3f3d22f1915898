/**
 * Figure rows of the table: min, median and max of a figure over its runs, and the verdict of its
 * target judged on the worst run; plus the value formats the rows use.
 */
import { summarize } from "./stats";
import type { FigureRow } from "./table";

/** A target as printed, and the test each run must pass. */
export interface Target {
  readonly text: string;
  readonly ok: (v: number) => boolean;
}

/** Fixed decimals. */
export const fixed = (digits: number) => (v: number) => v.toFixed(digits);
/** Whole numbers as such, anything else with one decimal. */
export const integer = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
/** Bytes as whole MiB. */
export const mib = (v: number) => (v / 2 ** 20).toFixed(0);

/** A figure with a target judged on its worst run. */
export function figure(
  label: string,
  values: number[],
  format: (v: number) => string,
  target?: Target,
): FigureRow {
  // A run that could not produce the figure (NaN) is left out; with none left the figure is n/a, and a
  // target it had is missed.
  const measured = values.filter(Number.isFinite);
  const summary = measured.length > 0 ? summarize(measured) : undefined;
  if (!target) return { label, summary, format };
  const met = measured.length === values.length && values.every(target.ok);
  return { label, summary, format, target: target.text, verdict: met ? "met" : "missed" };
}

/** Zero, the target of every 429 count. */
export const NONE: Target = { text: "0", ok: (v) => v === 0 };
