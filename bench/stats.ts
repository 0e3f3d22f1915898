/**
 * Minimum, median and maximum of repeated measurements: the spread is printed with every figure so a
 * noisy machine shows as noise rather than as a result.
 */

/** Summary of one figure over its repetitions. */
export interface Summary {
  /** Number of values summarized. */
  readonly runs: number;
  readonly min: number;
  /** The middle value; the mean of the two middle values for an even count. */
  readonly median: number;
  readonly max: number;
}

/**
 * Summarizes `values`.
 * @throws Error when `values` is empty or holds a non-finite number (a figure that was never measured).
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("summarize: no values");
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`summarize: non-finite value in ${values}`);
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { runs: sorted.length, min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
}
