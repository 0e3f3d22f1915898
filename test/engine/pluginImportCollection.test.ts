/**
 * `pulumi import mde:index:InvestigationPackageCollection <name> <actionId>` with the provider plugin: a
 * collection started outside the stack (an analyst in the portal) is read from Defender, the CLI writes
 * the YAML that declares it, and that program's next `up` changes nothing and posts nothing. Imported with
 * `--protect=false`, so `destroy` removes it (the CLI protects what it imports by default).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import {
  callsOf,
  createFolderProgram,
  emulatorConfig,
  REPO_ROOT,
  resourceSummary,
  startTestEmulator,
} from "pulumi-mde-harness";
import { startCollectionElsewhere } from "../helpers/faults";

const TYPE = "mde:index:InvestigationPackageCollection";

test("pulumi import of a collection, then up with the program the CLI wrote, changes nothing", async (t) => {
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const device = FLEET_ROLES.healthy[0];
  const existing = await startCollectionElsewhere(em, device.id, "IR-4711: collected from the portal");

  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "plugin-import-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  const projectFile = path.join(programDir, "Pulumi.yaml");
  const bin = path.join(REPO_ROOT, "bin");
  writeFileSync(
    projectFile,
    `name: mde-import\nruntime: yaml\nplugins:\n  providers:\n    - name: mde\n      path: ${bin}\n`,
  );
  const p = createFolderProgram({ programDir, config: emulatorConfig(em) });
  t.teardown(() => p.dispose());
  await p.init();

  const generated = path.join(p.tmpDir, "imported.yaml");
  const imported = await p.run([
    "import",
    TYPE,
    "portal-collection",
    existing.id,
    "--yes",
    "--protect=false",
    "--out",
    generated,
    "--stack",
    p.stackName,
    "--config-file",
    p.configFile,
  ]);
  t.regex(imported.stdout, /= 1 imported/, imported.stdout);
  const code = readFileSync(generated, "utf8");
  t.regex(code, new RegExp(`machineId: ${device.id}`), `the device, as read:\n${code}`);
  t.regex(code, /comment: ["']IR-4711: collected from the portal["']/, "the comment Defender recorded");

  const [resource] = (await p.exportState()).resources;
  t.is(resource?.id, existing.id, "the action is the resource");
  t.is(resource?.outputs?.machineId, device.id);
  t.falsy(resource?.outputs?.adopted);

  // The program as the CLI wrote it: the next up changes nothing and posts nothing.
  writeFileSync(projectFile, `${readFileSync(projectFile, "utf8")}${code}`);
  await p.upExpectingNoChanges();
  await p.refresh();
  await p.upExpectingNoChanges();
  t.is(callsOf(em, "collect").length, 1, "only the portal's collection was ever posted");

  const destroyed = await p.destroy();
  t.like(resourceSummary(destroyed.stdout), { deleted: 2 }, "the collection and the stack");
  t.deepEqual((await p.exportState()).resources, []);
});
