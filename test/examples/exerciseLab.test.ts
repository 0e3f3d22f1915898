/**
 * The exercise lab example (examples/exercise-lab) as a user gets it: its own dependencies installed
 * from the registry (`@pulumi/azure-native` and all, with pulumi-mde as a packed copy of this build),
 * a strict type-check, and its own mock tests (what it declares for Azure and the evidence chain),
 * which must all pass. Nothing is deployed: there is no Azure here.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { type NpmRun, npm, REPO_ROOT } from "pulumi-mde-harness";

const EXAMPLE_DIR = path.join(REPO_ROOT, "examples", "exercise-lab");

/**
 * An npm run's output for a failure message, without the check marks that CI counts as test results
 * (`.ci/run` counts lines starting with ✔ or ✘ in the whole log).
 */
function shown(run: NpmRun): string {
  return `npm ${run.args.join(" ")} exited ${run.code}\n${run.stdout}\n${run.stderr}`.replace(/[✔✘✖]/g, "*");
}

async function timed(
  t: ExecutionContext,
  label: string,
  args: string[],
  timeoutInMs: number,
): Promise<NpmRun> {
  const run = await npm(args, EXAMPLE_DIR, { allowFailure: true, timeoutInMs });
  t.log(`${label}: ${(run.durationInMs / 1000).toFixed(1)} s`);
  t.is(run.code, 0, shown(run));
  return run;
}

test("the exercise lab installs, type-checks and passes its mock tests", async (t) => {
  t.timeout(600_000);
  // A fresh copy of the library as built for this run (npm keeps an installed file: copy of the same
  // version otherwise). `--ignore-scripts`: the library's `prepare` would rebuild dist/src, which the
  // test run already built and other test files are reading right now.
  rmSync(path.join(EXAMPLE_DIR, "node_modules", "pulumi-mde"), { recursive: true, force: true });
  await timed(t, "npm install", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], 420_000);

  const installed = await npm(["ls", "@pulumi/pulumi", "--all", "--parseable"], EXAMPLE_DIR, {
    allowFailure: true,
  });
  const sdkCopies = new Set(
    installed.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.endsWith(`${path.sep}@pulumi${path.sep}pulumi`)),
  );
  t.is(sdkCopies.size, 1, `one @pulumi/pulumi in the example, found: ${[...sdkCopies].join(", ")}`);

  await timed(t, "tsc --noEmit", ["run", "typecheck"], 180_000);
  const tests = await timed(t, "npm test (tsc, node --test)", ["test"], 240_000);
  const pass = Number(/^ℹ pass (\d+)$/m.exec(tests.stdout)?.[1] ?? Number.NaN);
  const fail = Number(/^ℹ fail (\d+)$/m.exec(tests.stdout)?.[1] ?? Number.NaN);
  t.log(`example tests: ${pass} passed, ${fail} failed`);
  t.is(fail, 0, shown(tests));
  t.true(pass >= 15, `the example's tests ran (${pass} passed)\n${shown(tests)}`);
});
