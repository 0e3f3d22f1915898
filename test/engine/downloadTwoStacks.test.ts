/**
 * Two stacks keep the same collection's package in one folder, on the real engine: the first stack's
 * manifest keeps the plain name and is never replaced; the second keeps its own under a stack-qualified
 * name; each stack's refresh finds its own record intact.
 */
import { readdirSync, readFileSync } from "node:fs";
import test from "ava";
import { InvestigationPackageDownload } from "pulumi-mde";
import {
  createTestStack,
  emulatorConfig,
  emulatorStack,
  healthyIds,
  startTestEmulator,
} from "pulumi-mde-harness";
import {
  EVIDENCE_LIFECYCLE,
  EVIDENCE_TIME_SCALE,
  evidenceFolder,
  evidenceProgram,
} from "../helpers/evidence";

test("a second stack downloading the same action into the same folder keeps its own manifest beside the first's", async (t) => {
  const em = await startTestEmulator({ timeScale: EVIDENCE_TIME_SCALE, lifecycle: EVIDENCE_LIFECYCLE });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const first = await emulatorStack(em, evidenceProgram(healthyIds(em, 1), directory));
  t.teardown(() => first.dispose());
  const up = await first.up();
  const zip = (up.outputs.paths?.value as string[] | undefined)?.[0] ?? "";
  const actionId = (up.outputs.ids?.value as string[] | undefined)?.[0] ?? "";
  const plain = zip.replace(/\.zip$/, ".manifest.json");
  const firstRecord = readFileSync(plain, "utf8");

  const second = await createTestStack({
    projectName: "mde-lab",
    config: emulatorConfig(em),
    program: async () => {
      const copy = new InvestigationPackageDownload("package-copy", { actionId, directory });
      return { manifestPath: copy.manifestPath, fileStatus: copy.fileStatus };
    },
  });
  t.teardown(() => second.dispose());
  const secondUp = await second.up();
  const qualified = zip.replace(/\.zip$/, ".mde-lab.test.manifest.json");
  t.is(secondUp.outputs.manifestPath?.value, qualified, "the second stack's record has its own name");
  t.is(readFileSync(plain, "utf8"), firstRecord, "the first stack's record is untouched");
  const secondRecord = JSON.parse(readFileSync(qualified, "utf8")) as { pulumi: unknown; package: unknown };
  t.deepEqual(secondRecord.pulumi, { project: "mde-lab", stack: "test" });
  t.deepEqual(secondRecord.package, (JSON.parse(firstRecord) as { package: unknown }).package);
  t.deepEqual(
    readdirSync(directory).sort(),
    [zip, plain, qualified].map((p) => p.slice(directory.length + 1)).sort(),
    "one zip, two manifests, nothing else",
  );

  await first.refresh();
  await second.refresh();
  const status = async (s: typeof first) =>
    (await s.exportState()).resources.find((r) => r.type.endsWith("InvestigationPackageDownload"))?.outputs
      ?.fileStatus;
  t.is(await status(first), "intact");
  t.is(await status(second), "intact");
});
