/**
 * The Python runbook (examples/ir-runbook-python) on the generated Python SDK and the provider plugin,
 * with the CLI against the emulator: getMachines by tag, a collection waited for and a download per
 * device; a second `up` changes nothing; `refresh` and `destroy` work. The plugin is ambient: its folder
 * (bin/) on PATH, as the README tells Python users. The program runs in a copy of the example whose
 * virtualenv is the engine's (pulumi from PyPI and sdk/python, made by scripts/ensure-engine.sh).
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import {
  callsOf,
  createFolderProgram,
  ENGINE_BIN,
  emulatorConfig,
  REPO_ROOT,
  resourceSummary,
  startTestEmulator,
} from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets } from "../helpers/faults";

const EXAMPLE = path.join(REPO_ROOT, "examples", "ir-runbook-python");

test("Python program on the plugin: getMachines by tag, collect, wait, download per device; up again, refresh, destroy", async (t) => {
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const work = mkdtempSync(path.join(REPO_ROOT, ".tmp", "python-runbook-"));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  for (const file of ["Pulumi.yaml", "__main__.py", "requirements.txt"]) {
    copyFileSync(path.join(EXAMPLE, file), path.join(work, file));
  }
  symlinkSync(path.join(path.dirname(ENGINE_BIN), "python"), path.join(work, "venv"));
  const evidence = path.join(work, "evidence");
  const p = createFolderProgram({
    programDir: work,
    config: emulatorConfig(em, {
      "mde:timeScale": { value: "120" },
      "ir-runbook-python:tag": { value: FLEET_ROLES.incident.tag },
      "ir-runbook-python:ticket": { value: "IR-4711" },
      "ir-runbook-python:evidenceDirectory": { value: evidence },
    }),
    env: {
      PATH: [
        ENGINE_BIN,
        path.join(REPO_ROOT, "bin"),
        path.join(REPO_ROOT, "node_modules", ".bin"),
        process.env.PATH ?? "",
      ].join(path.delimiter),
    },
  });
  t.teardown(() => p.dispose());
  await p.init();

  // Preview first: the downloads' actionId is unknown until the collections exist.
  const preview = await p.preview();
  t.regex(preview.stdout, /to create/, "a plan, no failure");
  t.is(callsOf(em, "collect").length, 0, "preview posts nothing");

  const up = await p.up();
  const devices = FLEET_ROLES.incident.devices.map((d) => d.id).sort();
  t.like(
    resourceSummary(up.stdout),
    { created: 1 + 2 * devices.length },
    "a collection and a download per device",
  );
  t.is(callsOf(em, "collect").length, devices.length);
  const outputs = (await p.outputs()) as {
    devices: string[];
    packages: Record<string, { path: string; sha256: string }>;
  };
  t.deepEqual([...outputs.devices].sort(), devices, "getMachines found the tagged devices");
  for (const [name, pkg] of Object.entries(outputs.packages)) {
    t.true(pkg.path.startsWith(evidence), `${name}: in the configured folder`);
    t.is(createHash("sha256").update(readFileSync(pkg.path)).digest("hex"), pkg.sha256, `${name}: proven`);
  }

  await p.upExpectingNoChanges();
  const refresh = await p.refresh();
  t.like(resourceSummary(refresh.stdout), { unchanged: 1 + 2 * devices.length });
  await p.upExpectingNoChanges();
  t.is(callsOf(em, "collect").length, devices.length, "nothing collected twice");

  await p.destroy();
  t.deepEqual((await p.exportState()).resources, []);
  t.true(
    Object.values(outputs.packages).every((pkg) => existsSync(pkg.path)),
    "evidence is kept",
  );
  assertNoSecrets(
    t,
    { output: p.output(), state: p.backendText(), config: p.configText() },
    emulatorSecrets(em),
  );
});
