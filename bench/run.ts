/**
 * `npm run bench`: the provider against the API quota, on the real engine and the emulator with its
 * real limits, time-scaled so the whole bench takes minutes. Prints one table, then the date, the
 * machine and the scales. Figures and their definitions: bench/README.md.
 *
 * Options: `--only=throughput,hourCap,overhead,naive,wait,refresh,download,vault,waitParallel,runners,runbook,tenants`
 * runs a subset (`vault`, `waitParallel`, `runners`, `runbook` and `tenants` run only when named); `--quick`
 * shrinks every N and runs once (a smoke test of the bench itself, not a measurement).
 */
import { parseArgs } from "node:util";
import { benchFooter } from "./benchFooter";
import { benchPlan, SCENARIOS, selectedScenarios } from "./benchPlan";
import { loadAverage, machineInfo } from "./machineInfo";
import { benchContext, SECTIONS } from "./scenarioSections";
import { renderTable, type TableRow } from "./table";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: "string" }, quick: { type: "boolean", default: false } },
  });
  const only = selectedScenarios(values.only);
  const quick = values.quick ?? false;
  const plan = benchPlan(quick);
  const started = new Date();
  const startLoad = loadAverage();
  const machine = await machineInfo();
  const ctx = benchContext(plan);
  const rows: TableRow[] = [];
  // The throughput runs come first whenever the naive baseline needs them, as it compares against them.
  if (only.has("throughput") || only.has("naive")) await ctx.throughputRuns();
  for (const scenario of SCENARIOS) if (only.has(scenario)) rows.push(...(await SECTIONS[scenario](ctx)));
  const footer = benchFooter({ started, startLoad, endLoad: loadAverage(), machine, plan, quick });
  process.stdout.write(`${renderTable(rows)}\n\n${footer.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
