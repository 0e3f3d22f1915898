/**
 * The `import` resource option cannot work for a dynamic resource (pulumi/pulumi#16175): the resource
 * refuses it when declared, with a message that names `adoptActionId`, before any request.
 *
 * Regression: the engine used to get as far as the dynamic-provider host and fail there with
 * `Cannot read properties of undefined (reading 'toJavaScript')`, which says nothing useful.
 *
 * A folder program run by the CLI, as a user would meet it: the program's exception is reported by
 * the CLI (an inline program would throw it inside the test process).
 */
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  createFolderProgram,
  emulatorConfig,
  healthyIds,
  REPO_ROOT,
  startTestEmulator,
  writeFiles,
} from "pulumi-mde-harness";
import { serviceCalls } from "../helpers/faults";

const PROGRAM: Record<string, string> = {
  // Its own package.json: without one, the language host would take the repository's as the program's.
  "package.json": '{ "name": "mde-import-option", "private": true, "main": "index.js" }\n',
  "Pulumi.yaml": "name: mde-import-option\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
  "index.js": `"use strict";
const pulumi = require("@pulumi/pulumi");
const { InvestigationPackageCollection } = require("pulumi-mde");
const config = new pulumi.Config("program");
new InvestigationPackageCollection(
  "ws-042",
  { machineId: config.require("machineId"), comment: "IR-4711: started from the portal" },
  { import: config.require("actionId") },
);
`,
};

test("the import option fails preview and up with a message pointing to adoptActionId, and calls nothing", async (t) => {
  const em = await startTestEmulator({ timeScale: 60 });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const actionId = "7c1e3b2a-4f5d-4e6a-9b8c-0d1e2f3a4b5c";
  // Inside the repository (gitignored .tmp) so the program resolves pulumi-mde and @pulumi/pulumi.
  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "import-option-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  writeFiles(programDir, PROGRAM);
  const p = createFolderProgram({
    programDir,
    config: {
      ...emulatorConfig(em),
      "program:machineId": { value: machineId! },
      "program:actionId": { value: actionId },
    },
  });
  t.teardown(() => p.dispose());
  await p.init();

  for (const [operation, run] of [
    ["preview", () => p.preview([], { allowFailure: true })],
    ["up", () => p.up([], { allowFailure: true })],
  ] as const) {
    const { code, stdout, stderr } = await run();
    const failure = `${stdout}\n${stderr}`;
    t.not(code, 0, `${operation} fails`);
    t.regex(
      failure,
      /InvestigationPackageCollection "ws-042": the `import` resource option is not supported/,
    );
    t.true(failure.includes(`set \`adoptActionId: "${actionId}"\``), `${operation} names adoptActionId`);
    t.notRegex(failure, /toJavaScript/, `${operation} does not reach the dynamic-provider host`);
  }
  t.deepEqual(serviceCalls(em), [], "no token request, no API call");
  t.deepEqual((await p.exportState()).resources, [], "nothing in state");
});
