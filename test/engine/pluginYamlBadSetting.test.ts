/**
 * A bad `mde:*` setting fails a YAML program's `pulumi preview` with the plugin exactly as it fails a
 * TypeScript program's: reported on the config key, with the cause and the fix, before any request, and
 * without echoing the client secret the engine handed the plugin in `PULUMI_CONFIG`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import { createFolderProgram, emulatorConfig, REPO_ROOT, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets, serviceCalls } from "../helpers/faults";

test("a bad mde:cloud fails a YAML program's preview on that key, with the fix; nothing sent, no secret shown", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "plugin-bad-setting-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  writeFileSync(
    path.join(programDir, "Pulumi.yaml"),
    [
      "name: mde-bad-setting",
      "runtime: yaml",
      "plugins:",
      "  providers:",
      "    - name: mde",
      `      path: ${path.join(REPO_ROOT, "bin")}`,
      "resources:",
      "  ws-042:",
      "    type: mde:index:InvestigationPackageCollection",
      "    properties:",
      `      machineId: ${FLEET_ROLES.healthy[0].id}`,
      "      comment: IR-4711",
      "",
    ].join("\n"),
  );
  const config = emulatorConfig(em, { "mde:cloud": { value: "moon" } });
  const p = createFolderProgram({ programDir, config });
  t.teardown(() => p.dispose());
  await p.init();

  const preview = await p.preview([], { allowFailure: true });
  const output = `${preview.stdout}\n${preview.stderr}`;
  t.not(preview.code, 0, "the preview fails");
  t.regex(output, /property mde:cloud value .* has a problem: /, `the key is named:\n${output}`);
  t.regex(output, /Invalid mde:cloud: expected one of commercial, us, eu.*gcc-high, dod\. Got "moon"\./);
  t.deepEqual(serviceCalls(em), [], "no token request, no API call");
  const secrets = Object.values(config)
    .filter((v) => v.secret)
    .map((v) => v.value);
  t.true(secrets.length > 0, "the config holds a client secret");
  assertNoSecrets(t, { output: p.output() }, emulatorSecrets(em, { "secret config": secrets }));
});
