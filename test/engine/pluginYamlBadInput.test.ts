/**
 * A mistake in a YAML program fails at `pulumi preview`, before any request, with the plugin's check
 * naming the field, what was expected and the code: the same check and message as the TypeScript SDK's.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { createFolderProgram, emulatorConfig, REPO_ROOT, startTestEmulator } from "pulumi-mde-harness";
import { serviceCalls } from "../helpers/faults";

test("a bad machineId in a YAML program fails at preview naming the field; nothing is called", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "plugin-bad-input-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  writeFileSync(
    path.join(programDir, "Pulumi.yaml"),
    [
      "name: mde-bad-input",
      "runtime: yaml",
      "plugins:",
      "  providers:",
      "    - name: mde",
      `      path: ${path.join(REPO_ROOT, "bin")}`,
      "resources:",
      "  ws-042:",
      "    type: mde:index:InvestigationPackageCollection",
      "    properties:",
      "      machineId: ws-042",
      "      comment: IR-4711",
      "",
    ].join("\n"),
  );
  const p = createFolderProgram({ programDir, config: emulatorConfig(em) });
  t.teardown(() => p.dispose());
  await p.init();

  const preview = await p.preview([], { allowFailure: true });
  const output = `${preview.stdout}\n${preview.stderr}`;
  t.not(preview.code, 0, "the preview fails");
  t.regex(output, /property machineId value \{ws-042\} has a problem: machineId must be/, output);
  t.regex(output, /MDE_INPUT_INVALID/);
  t.deepEqual(serviceCalls(em), [], "no token request, no API call");
});
