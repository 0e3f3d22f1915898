/**
 * Evidence into a blob container on the real engine, against the emulator and Azurite: five packages land
 * as blobs that hash to what the emulator served, each with its manifest blob and metadata; nothing stays on
 * local disk; no link, SAS or token reaches state or output; a download declared again finds its blob and
 * fetches no link; a deleted blob is drift on refresh and comes back on up with no new collection; destroy
 * keeps every blob.
 */
import test from "ava";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { EVIDENCE_LIFECYCLE, EVIDENCE_TIME_SCALE, linkHits } from "../helpers/evidence";
import { backendText } from "../helpers/faults";
import {
  assertVault,
  JWT_PATTERN,
  leftovers,
  providerTempFolder,
  startVault,
  VAULT_CONTAINER,
  vaultProgram,
} from "../helpers/vault";

test("five packages into a container: proven, recorded, nothing local, nothing secret, drift restored", async (t) => {
  const em = await startTestEmulator({
    timeScale: EVIDENCE_TIME_SCALE,
    lifecycle: EVIDENCE_LIFECYCLE,
    // Several blocks per package: more than one 4 MiB block is staged and committed.
    packagePaddingBytes: 9_000_000,
  });
  t.teardown(() => em.close());
  const { azurite, containerUrl } = await startVault(t, em);
  const tmp = providerTempFolder(t);
  const ids = healthyIds(em, 5);
  const prefix = "IR-4711/";
  const s = await emulatorStack(em, vaultProgram(ids, containerUrl, { blobPrefix: prefix }), {
    env: { TMPDIR: tmp },
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const actionIds = up.outputs.ids?.value as string[];
  await assertVault(t, em, azurite, actionIds, prefix);
  t.deepEqual(leftovers(tmp), [], "the temporary copies are gone");
  const blobUrls = up.outputs.blobUrls?.value as string[];
  for (const url of blobUrls) {
    t.true(url.startsWith(`${containerUrl}/IR-4711/`), url);
    t.false(url.includes("?"), "no query string in a blob URL");
  }
  t.like((up.outputs.retentions?.value as unknown[] | undefined)?.[0], { protected: false, summary: "none" });
  t.is(callsOf(em, "getPackageUri").length, 5, "one link per package");

  // No link, SAS or bearer token in what is stored or printed.
  const state = await s.exportState();
  const texts = {
    "exported state": state.text,
    "backend files": backendText(s),
    "engine output": s.output(),
  };
  t.deepEqual(linkHits(texts), []);
  for (const [name, text] of Object.entries(texts)) {
    t.false(JWT_PATTERN.test(text), `no bearer token in ${name}`);
    t.false(/[?&]sig=/.test(text), `no SAS in ${name}`);
  }

  // Unchanged: refresh finds every blob intact and up changes nothing.
  const clean = await s.refresh();
  t.is(clean.summary.resourceChanges?.update ?? 0, 0);
  t.is((await s.up()).summary.resourceChanges?.update ?? 0, 0);

  // A deleted blob is drift, and up puts it back from the same action.
  const blobs = await azurite.listBlobs(VAULT_CONTAINER);
  const first = blobs.find((b) => b.name.endsWith(`-${actionIds[0]}.zip`));
  await azurite.deleteBlob(VAULT_CONTAINER, first?.name ?? "");
  const refreshed = await s.refresh();
  t.is(refreshed.summary.resourceChanges?.update, 1, "refresh shows the missing blob");
  const status = (await s.exportState()).resources.find((r) => r.outputs?.blobUrl === blobUrls[0])?.outputs
    ?.fileStatus;
  t.is(status, "missing");
  const restored = await s.up();
  t.is(restored.summary.resourceChanges?.update, 1, "up uploads it again");
  await assertVault(t, em, azurite, actionIds, prefix);
  t.is(callsOf(em, "getPackageUri").length, 6, "one more link, for the missing blob only");

  // Declared again after being let go: the blobs are found and proven, no link is fetched.
  s.stack.workspace.program = vaultProgram(ids, containerUrl, { blobPrefix: prefix, withDownloads: false });
  await s.up();
  await assertVault(t, em, azurite, actionIds, prefix);
  s.stack.workspace.program = vaultProgram(ids, containerUrl, { blobPrefix: prefix });
  const again = await s.up();
  t.is(again.summary.resourceChanges?.create, 5);
  t.is(callsOf(em, "getPackageUri").length, 6, "no link for a package already in the container");
  t.is(callsOf(em, "collect").length, 5, "never a new collection");
  t.deepEqual(leftovers(tmp), []);

  await s.destroy();
  await assertVault(t, em, azurite, actionIds, prefix);
});
