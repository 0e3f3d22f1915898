/**
 * The manifest is evidence too, on the real engine: state keeps its SHA-256 (`manifestSha256`); an edited
 * manifest shows as `manifestAltered` on `refresh` and a deleted one as `manifestMissing`; `up` writes it
 * back from state byte for byte with no link fetched and no new collection. A folder standing at the
 * zip's path makes `refresh` fail with `MDE_EVIDENCE_STORAGE` naming the path, not a stack trace.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertEvidence,
  EVIDENCE_LIFECYCLE,
  EVIDENCE_TIME_SCALE,
  evidenceFolder,
  evidenceProgram,
} from "../helpers/evidence";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

test("an edited or deleted manifest shows on refresh and up writes it back from state; a folder at the zip's path is a coded error", async (t) => {
  const em = await startTestEmulator({ timeScale: EVIDENCE_TIME_SCALE, lifecycle: EVIDENCE_LIFECYCLE });
  t.teardown(() => em.close());
  const directory = evidenceFolder(t);
  const s = await emulatorStack(em, evidenceProgram(healthyIds(em, 1), directory));
  t.teardown(() => s.dispose());

  const up = await s.up();
  const zip = (up.outputs.paths?.value as string[] | undefined)?.[0] ?? "";
  const actionIds = up.outputs.ids?.value as string[];
  const manifestFile = zip.replace(/\.zip$/, ".manifest.json");
  const original = readFileSync(manifestFile, "utf8");
  const outputs = async () =>
    (await s.exportState()).resources.find((r) => r.type.endsWith("InvestigationPackageDownload"))
      ?.outputs as Record<string, unknown>;
  t.is((await outputs()).manifestSha256, sha256(original), "state keeps the manifest's digest");

  // The recorded digest of the package changed in the manifest: the zip itself is intact.
  const packageSha = (JSON.parse(original) as { package: { sha256: string } }).package.sha256;
  writeFileSync(manifestFile, original.replace(packageSha, "0".repeat(64)));
  const refreshed = await s.refresh();
  t.is(refreshed.summary.resourceChanges?.update, 1, "refresh shows the drift");
  t.is((await outputs()).fileStatus, "manifestAltered");
  const restored = await s.up();
  t.is(restored.summary.resourceChanges?.update, 1);
  t.is((await outputs()).fileStatus, "intact");
  t.is(readFileSync(manifestFile, "utf8"), original, "written back byte for byte from state");

  rmSync(manifestFile);
  await s.refresh();
  t.is((await outputs()).fileStatus, "manifestMissing");
  await s.up();
  t.is(readFileSync(manifestFile, "utf8"), original);
  t.is((await outputs()).fileStatus, "intact");
  await assertEvidence(t, em, directory, actionIds);

  t.is(callsOf(em, "getPackageUri").length, 1, "no link fetched to restore a manifest");
  t.is(callsOf(em, "download").length, 1, "the package was not downloaded again");
  t.is(callsOf(em, "collect").length, 1, "never a new collection");

  rmSync(zip);
  mkdirSync(zip);
  const failure = await s.refresh().then(
    () => "",
    (error: unknown) => String((error as Error).message ?? error),
  );
  t.regex(failure, /\[MDE_EVIDENCE_STORAGE\]/);
  t.true(failure.includes(zip), "names the path");
  t.regex(failure, /EISDIR/);
  t.notRegex(failure, /\n\s+at .+:\d+:\d+\)?\n/, "no stack trace");
});
