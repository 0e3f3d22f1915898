/**
 * The GitOps response as a Pulumi YAML program (examples/gitops-yaml), run by the provider plugin
 * `pulumi-resource-mde` with the CLI against the emulator: two collections waited for and their packages
 * downloaded with SHA-256 and manifest; a second `up` changes nothing; `refresh` finds everything as it
 * was; `destroy` removes the resources and keeps the evidence; no secret in output or state.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
import { assertNoSecrets, emulatorSecrets } from "../helpers/faults";

test("YAML program on the plugin: collect, wait, download; up again, refresh and destroy change nothing they should not", async (t) => {
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const evidence = mkdtempSync(path.join(REPO_ROOT, ".tmp", "yaml-evidence-"));
  t.teardown(() => rmSync(evidence, { recursive: true, force: true }));
  const p = createFolderProgram({
    programDir: path.join(REPO_ROOT, "examples", "gitops-yaml"),
    config: emulatorConfig(em, {
      "mde:timeScale": { value: "120" },
      "gitops-yaml:ticket": { value: "IR-4711" },
      "gitops-yaml:reason": { value: "ransomware behaviour, alert 1234" },
      "gitops-yaml:firstDevice": { value: FLEET_ROLES.healthy[0].computerDnsName },
      "gitops-yaml:secondDevice": { value: FLEET_ROLES.healthy[1].id },
      "gitops-yaml:evidenceDirectory": { value: evidence },
    }),
  });
  t.teardown(() => p.dispose());
  await p.init();

  // Preview first: the downloads' actionId is unknown until the collections exist.
  const preview = await p.preview();
  t.regex(preview.stdout, /to create/, "a plan, no failure");
  t.is(callsOf(em, "collect").length, 0, "preview posts nothing");

  const up = await p.up();
  t.like(resourceSummary(up.stdout), { created: 5 }, "the stack, two collections, two downloads");
  t.is(callsOf(em, "collect").length, 2);
  const { packages } = (await p.outputs()) as {
    packages: Record<string, { path: string; sha256: string }>;
  };
  for (const which of ["first", "second"]) {
    const pkg = packages[which]!;
    t.true(pkg.path.startsWith(evidence), `${which} package in the configured folder`);
    t.is(
      createHash("sha256").update(readFileSync(pkg.path)).digest("hex"),
      pkg.sha256,
      `${which} package proven`,
    );
    t.true(
      existsSync(`${pkg.path}.manifest.json`) || existsSync(pkg.path.replace(/\.zip$/, ".manifest.json")),
    );
  }
  const state = await p.exportState();
  t.deepEqual(
    state.resources.map((r) => r.type).sort(),
    [
      "mde:index:InvestigationPackageCollection",
      "mde:index:InvestigationPackageCollection",
      "mde:index:InvestigationPackageDownload",
      "mde:index:InvestigationPackageDownload",
    ],
    "real provider resources, not dynamic ones",
  );
  const collection = state.resources.find((r) => r.type === "mde:index:InvestigationPackageCollection");
  t.is(collection?.inputs?.pulumiStack, "gitops-yaml/test", "project/stack from the URN");

  await p.upExpectingNoChanges();
  const refresh = await p.refresh();
  t.like(resourceSummary(refresh.stdout), { unchanged: 5 }, "refresh finds everything as it was");
  await p.upExpectingNoChanges();
  t.is(callsOf(em, "collect").length, 2, "nothing collected twice");

  const destroyed = await p.destroy();
  t.like(resourceSummary(destroyed.stdout), { deleted: 5 });
  t.true(existsSync(packages.first!.path), "evidence is never deleted");
  t.deepEqual((await p.exportState()).resources, []);
  assertNoSecrets(
    t,
    { output: p.output(), state: p.backendText(), config: p.configText() },
    emulatorSecrets(em),
  );
});
