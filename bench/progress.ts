/**
 * Progress on stderr (stdout is the table), and the loop that repeats a scenario's runs, saying how long
 * each took and under which load.
 */
import { loadAverage } from "./machineInfo";

/** One progress line on stderr, with the time of day. */
export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Runs `run` `runs` times in sequence; a result's string `error` (a failed deployment) is reported. */
export async function repeat<T>(label: string, runs: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    progress(`${label}: run ${i + 1}/${runs}, load ${loadAverage()}`);
    const result = await run(i);
    results.push(result);
    progress(`${label}: run ${i + 1}/${runs} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const error = (result as { error?: unknown }).error;
    if (typeof error === "string") progress(`${label}: run ${i + 1}/${runs}: the up failed: ${error}`);
  }
  return results;
}
