/**
 * The chaos suite's fixed seeds, run by `npm test`: each a small fleet through the real engine under a
 * seeded schedule of per-request faults, SIGKILLs of `pulumi up` with `pulumi cancel` and plain re-runs,
 * and (in some) a deliberate re-collection. Every invariant must hold: one action per declared
 * collection, every action held by the stack, no skipped re-collection, a final `up` that posts
 * nothing. More seeds: `npm run chaos -- --seeds 200`; one seed with its step log: `--seed N`.
 */
import test from "ava";
import { runSeed } from "./runSeed";
import { failureReport } from "./summary";

/**
 * Chosen from the plans for coverage at a few minutes' cost: 6 kills after the first POST, then
 * re-collects two of three; 7 re-collects every collection under a dense schedule with two kills;
 * 12 has two kills under a dense schedule (0.72) with waited collections.
 */
const SEEDS = [6, 7, 12];

for (const seed of SEEDS) {
  test.serial(`chaos seed ${seed}: no duplicate, no orphan, no skipped re-collection`, async (t) => {
    const report = await runSeed(seed);
    t.log(report.plan);
    for (const line of report.log) t.log(line);
    t.deepEqual(report.failures, [], `seed ${seed} failed:\n${failureReport([report])}`);
    t.true(report.faultsInjected > 0, "requests met faults");
  });
}
