/**
 * A program with more waited collections than the engine runs at once says so, once, at `pulumi preview`
 * and at `pulumi up`, with the number to use and both ways to set it; with enough parallelism it says
 * nothing. A folder program run by the CLI, as a user meets it: the parallelism reaches the program the
 * way it does for them (`--parallel`, else `PULUMI_PARALLEL`, else 4 × CPUs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  callsOf,
  createFolderProgram,
  emulatorConfig,
  healthyIds,
  REPO_ROOT,
  startTestEmulator,
  writeFiles,
} from "pulumi-mde-harness";

const PROGRAM: Record<string, string> = {
  // Its own package.json: without one, the language host would take the repository's as the program's.
  "package.json": '{ "name": "mde-parallelism-notice", "private": true, "main": "index.js" }\n',
  "Pulumi.yaml":
    "name: mde-parallelism-notice\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
  "index.js": `"use strict";
const pulumi = require("@pulumi/pulumi");
const { InvestigationPackageCollection } = require("pulumi-mde");
const ids = new pulumi.Config("program").requireObject("machineIds");
for (const [i, machineId] of ids.entries()) {
  new InvestigationPackageCollection("ws-" + i, { machineId, comment: "IR-4711", waitForCompletion: true });
}
`,
};

const NOTICE = /this program has 5 creates that wait \(5 collections with waitForCompletion\)/g;

/**
 * How many times the program emitted the notice: the CLI shows each warning live and again under
 * `Diagnostics:`, so the count is taken there, where each diagnostic appears once.
 */
function notices(text: string): number {
  const diagnostics = text.indexOf("\nDiagnostics:");
  return diagnostics < 0 ? 0 : [...text.slice(diagnostics).matchAll(NOTICE)].length;
}

test("5 waited collections at --parallel 2: one notice at preview and one at up naming 5; at PULUMI_PARALLEL=8, none", async (t) => {
  const em = await startTestEmulator({
    timeScale: 60,
    lifecycle: { pendingSeconds: 10, inProgressSeconds: 20 },
  });
  t.teardown(() => em.close());
  const ids = healthyIds(em, 5);
  // Inside the repository (gitignored .tmp) so the program resolves pulumi-mde and @pulumi/pulumi.
  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "parallelism-notice-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  writeFiles(programDir, PROGRAM);
  const p = createFolderProgram({
    programDir,
    config: { ...emulatorConfig(em), "program:machineIds": { value: JSON.stringify(ids) } },
    // What the notice advises; `--parallel` on a command still wins over it.
    env: { PULUMI_PARALLEL: "8" },
  });
  t.teardown(() => p.dispose());
  await p.init();

  for (const [operation, run] of [
    ["preview", () => p.preview(["--parallel", "2"])],
    ["up", () => p.up(["--parallel", "2"])],
  ] as const) {
    const { stdout, stderr } = await run();
    const output = `${stdout}\n${stderr}`;
    t.is(notices(output), 1, `${operation} says it once`);
    t.regex(
      output,
      /pulumi:pulumi:Stack mde-parallelism-notice-test[^\n]* 1 warning/,
      `${operation}: one warning`,
    );
    t.regex(output, /the engine runs 2 operations at a time/);
    t.true(output.includes("`pulumi up --parallel 5`"), `${operation} names the --parallel to use`);
    t.true(output.includes("PULUMI_PARALLEL=5"), `${operation} names the environment variable`);
  }
  t.is(callsOf(em, "collect").length, 5, "the up went on: every collection was started");
  const { resources } = await p.exportState();
  t.deepEqual(
    resources.map((r) => r.outputs?.status),
    ["Succeeded", "Succeeded", "Succeeded", "Succeeded", "Succeeded"],
  );

  // Enough slots (PULUMI_PARALLEL=8, no --parallel): silent, at preview and at up.
  const preview = await p.preview();
  t.is(notices(`${preview.stdout}\n${preview.stderr}`), 0, "no notice at preview");
  t.notRegex(preview.stdout, /creates that wait/);
  const up = await p.upExpectingNoChanges();
  t.notRegex(`${up.stdout}\n${up.stderr}`, /creates that wait/, "no notice at up");
});
