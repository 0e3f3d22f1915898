/**
 * The chaos runner: `npm run chaos -- --seeds N [--from S]` runs seeds S..S+N-1 (default 1..N) one
 * after the other and prints the table; `--seed X` runs one seed and prints its step log. Exits 1
 * when any seed failed. Needs a build (`npx tsc -b`) and the pinned engine (`npm run engine`).
 */
import { runSeed, type SeedReport } from "./runSeed";
import { failureReport, seedLine, summary } from "./summary";

function parse(argv: string[]): { seeds: number[]; verbose: boolean } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer`);
    return n;
  };
  const one = value("--seed");
  if (one !== undefined) return { seeds: [one], verbose: true };
  const count = value("--seeds") ?? 10;
  const from = value("--from") ?? 1;
  return { seeds: Array.from({ length: count }, (_, i) => from + i), verbose: argv.includes("--verbose") };
}

async function main(): Promise<void> {
  const { seeds, verbose } = parse(process.argv.slice(2));
  // A killed engine can leave the inline program's promises rejected; they are the engine's, not ours.
  process.on("unhandledRejection", (reason) => {
    if (verbose) console.error(`(unhandled rejection after a kill: ${String(reason).split("\n")[0]})`);
  });
  const started = Date.now();
  const reports: SeedReport[] = [];
  for (const seed of seeds) {
    const report = await runSeed(seed);
    reports.push(report);
    console.log(seedLine(report));
    if (verbose) console.log([report.plan, ...report.log.map((l) => `  | ${l}`)].join("\n"));
    if (report.failures.length > 0 && !verbose) console.log(failureReport([report]));
  }
  console.log(`\nChaos: ${seeds.length} seeds in ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
  console.log(summary(reports));
  process.exitCode = reports.some((r) => r.failures.length > 0) ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
