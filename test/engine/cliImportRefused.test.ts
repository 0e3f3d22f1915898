/**
 * `pulumi import` of a collection with the CLI, on a folder program, as a user would try it. The engine
 * asks the dynamic-provider host (`@pulumi/pulumi`) to read the resource with no properties, so no
 * provider text: the host fails inside its own `require` ("code must be a string, not undefined")
 * before any code of this package loads, and the program does not run, so the package cannot word
 * that message (until a provider plugin serves the type). What it can do, this test holds: the
 * import changes nothing and calls nothing, and the README's troubleshooting table quotes the exact
 * message the CLI prints and points to `adoptActionId`, so a Pulumi release that changes the message
 * fails here instead of leaving the README stale.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  createFolderProgram,
  emulatorConfig,
  REPO_ROOT,
  startTestEmulator,
  writeFiles,
} from "pulumi-mde-harness";
import { serviceCalls } from "../helpers/faults";

const PROGRAM: Record<string, string> = {
  "package.json": '{ "name": "mde-cli-import", "private": true, "main": "index.js" }\n',
  "Pulumi.yaml": "name: mde-cli-import\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
  "index.js": '"use strict";\nrequire("pulumi-mde");\n',
};

/** What the host says for a read without provider text; the README quotes it. */
const HOST_MESSAGE = "code must be a string, not undefined";

test("pulumi import of a collection fails, changes nothing, calls nothing, and the README's row for its message names adoptActionId", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "cli-import-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  writeFiles(programDir, PROGRAM);
  const p = createFolderProgram({ programDir, config: emulatorConfig(em) });
  t.teardown(() => p.dispose());
  await p.init();

  const actionId = "7c1e3b2a-4f5d-4e6a-9b8c-0d1e2f3a4b5c";
  const run = await p.run(
    [
      "import",
      "pulumi-nodejs:dynamic/mde:InvestigationPackageCollection",
      "ws-042",
      actionId,
      "--yes",
      "--stack",
      p.stackName,
      "--config-file",
      p.configFile,
    ],
    { allowFailure: true },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  t.not(run.code, 0, "the import fails");
  t.true(output.includes(HOST_MESSAGE), `the host's message, as the README quotes it:\n${output}`);
  t.deepEqual(serviceCalls(em), [], "no token request, no API call");
  t.deepEqual((await p.exportState()).resources, [], "nothing in state");

  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const row = readme.split("\n").find((line) => line.startsWith("|") && line.includes(HOST_MESSAGE));
  t.truthy(row, "the troubleshooting table has a row for the message");
  t.regex(row ?? "", /adoptActionId/);
  t.regex(row ?? "", /pulumi import/);
});
