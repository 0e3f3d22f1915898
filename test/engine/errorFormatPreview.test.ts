/**
 * Errors as `pulumi preview` prints them, in a folder program run by the CLI as a user meets them: a
 * `getMachines` failure (a wrong client secret) and an input-check failure are each one readable
 * paragraph ending in their code, without a stack trace or colour codes. Before, the first arrived as
 * an unhandled exception with a stack trace and ANSI colour codes, and the second had no code.
 */
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  createFolderProgram,
  emulatorConfig,
  REPO_ROOT,
  startTestEmulator,
  writeFiles,
} from "pulumi-mde-harness";

const PROGRAM: Record<string, string> = {
  // Its own package.json: without one, the language host would take the repository's as the program's.
  "package.json": '{ "name": "mde-error-format", "private": true, "main": "index.js" }\n',
  "Pulumi.yaml": "name: mde-error-format\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
  "index.js": `"use strict";
const pulumi = require("@pulumi/pulumi");
const { getMachines, InvestigationPackageCollection } = require("pulumi-mde");
const config = new pulumi.Config("program");
module.exports = async () => {
  if (config.get("tag")) await getMachines({ tag: config.get("tag") });
  new InvestigationPackageCollection("ws-042", { machineId: config.require("machineId"), comment: "IR-4711" });
};
`,
};

/** What must never reach the user: escape codes and stack frames. */
function assertClean(t: import("ava").ExecutionContext, output: string): void {
  t.false(output.includes("\u001b"), "no escape codes");
  t.notRegex(output, /^\s+at .+:\d+:\d+\)?$/m, "no stack frames");
  t.notRegex(output, /unhandled exception/, "not an unhandled exception");
}

test("preview: a wrong client secret in getMachines and a bad machineId each print one paragraph ending in their code", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "error-format-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  writeFiles(programDir, PROGRAM);
  const p = createFolderProgram({
    programDir,
    config: {
      ...emulatorConfig(em),
      "mde:clientSecret": { value: "not-the-secret", secret: true },
      "program:tag": { value: "incident-4711" },
      "program:machineId": { value: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07" },
    },
  });
  t.teardown(() => p.dispose());
  await p.init();

  const wrongSecret = await p.preview([], { allowFailure: true });
  const secretOutput = `${wrongSecret.stdout}\n${wrongSecret.stderr}`;
  t.not(wrongSecret.code, 0);
  assertClean(t, secretOutput);
  // The message, on one line of the CLI's output, ends in the code.
  t.regex(secretOutput, /error: [^\n]*(?:access token|AADSTS)[^\n]* \[MDE_AUTH_FAILED\]\n/);
  t.false(secretOutput.includes("not-the-secret"), "the secret is not echoed");

  // Right secret, no tag; a device ID with a typo: the input check.
  await p.setConfig("mde:clientSecret", emulatorConfig(em)["mde:clientSecret"]!);
  await p.run(["config", "rm", "program:tag", "--stack", p.stackName, "--config-file", p.configFile]);
  await p.setConfig("program:machineId", { value: "1e5bc9d7e413ddd7902c2932e418702b84d0ccO7" });
  const badInput = await p.preview([], { allowFailure: true });
  const inputOutput = `${badInput.stdout}\n${badInput.stderr}`;
  t.not(badInput.code, 0);
  assertClean(t, inputOutput);
  t.regex(inputOutput, /machineId must be hexadecimal[^\n]* \[MDE_INPUT_INVALID\]\n/);
  t.deepEqual(
    em.calls().filter((c) => c.route !== "token"),
    [],
    "no API call",
  );
});
