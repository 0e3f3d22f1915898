/**
 * DeviceIsolation from a YAML program through the plugin: up isolates once and waits, a second up
 * changes nothing, refresh reads the device's state, destroy releases it with exactly one unisolate.
 * The resource code is the dynamic provider's; this holds that the plugin hands it what it needs
 * (project/stack and name from the URN for its markers, the release on delete).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  createFolderProgram,
  emulatorConfig,
  healthyIds,
  REPO_ROOT,
  resourceSummary,
  startTestEmulator,
} from "pulumi-mde-harness";
import { ISOLATION_LIFECYCLE, ISOLATION_TIME_SCALE, isolationPosts } from "../helpers/isolation";

test("YAML DeviceIsolation on the plugin: isolate once, up again and refresh change nothing, destroy releases once", async (t) => {
  const em = await startTestEmulator({ timeScale: ISOLATION_TIME_SCALE, lifecycle: ISOLATION_LIFECYCLE });
  t.teardown(() => em.close());
  const [id] = healthyIds(em, 1);
  const programDir = mkdtempSync(path.join(REPO_ROOT, ".tmp", "plugin-isolation-"));
  t.teardown(() => rmSync(programDir, { recursive: true, force: true }));
  writeFileSync(
    path.join(programDir, "Pulumi.yaml"),
    [
      "name: mde-isolation",
      "runtime: yaml",
      "plugins:",
      "  providers:",
      "    - name: mde",
      `      path: ${path.join(REPO_ROOT, "bin")}`,
      "resources:",
      "  contained:",
      "    type: mde:index:DeviceIsolation",
      "    properties:",
      `      machineId: ${id}`,
      "      comment: 'IR-4711: contain'",
      "      waitForCompletion: true",
      "outputs:",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Pulumi YAML interpolation, not a template.
      "  isolated: ${contained.isolated}",
      "",
    ].join("\n"),
  );
  const p = createFolderProgram({
    programDir,
    config: emulatorConfig(em, { "mde:timeScale": { value: String(ISOLATION_TIME_SCALE) } }),
  });
  t.teardown(() => p.dispose());
  await p.init();

  await p.up();
  t.is((await p.outputs()).isolated, true);
  t.true(em.isolationOf(id!).isolated);
  await p.upExpectingNoChanges();
  const refreshed = await p.refresh();
  t.like(resourceSummary(refreshed.stdout), { unchanged: 2 });
  t.deepEqual(isolationPosts(em), { isolates: 1, releases: 0 });

  await p.destroy();
  t.false(em.isolationOf(id!).isolated, "released");
  t.deepEqual(isolationPosts(em), { isolates: 1, releases: 1 }, "exactly one release");
});
