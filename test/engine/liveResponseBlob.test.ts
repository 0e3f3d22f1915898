/**
 * LiveResponseFileCollection into a blob container on the real engine, against the emulator and Azurite:
 * each file lands as a blob under the prefix holding what the device holds, its SHA-256 and action in the
 * blob's metadata and a manifest blob beside it; nothing stays on local disk; no result link, SAS or token
 * reaches state or output; a second up posts nothing.
 */
import test from "ava";
import type { LiveResponseFile } from "pulumi-mde";
import { emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { backendText } from "../helpers/faults";
import {
  assertCollectedFile,
  filesProgram,
  LIVE_RESPONSE_LIFECYCLE,
  LIVE_RESPONSE_TIME_SCALE,
  liveResponseCalls,
  resultLinkHits,
  sha256Of,
  WINDOWS_PATHS,
} from "../helpers/liveResponse";
import { JWT_PATTERN, leftovers, providerTempFolder, startVault, VAULT_CONTAINER } from "../helpers/vault";

test("files into a blob container: proven, recorded, nothing local, nothing secret, posted once", async (t) => {
  const em = await startTestEmulator({
    timeScale: LIVE_RESPONSE_TIME_SCALE,
    lifecycle: LIVE_RESPONSE_LIFECYCLE,
  });
  t.teardown(() => em.close());
  const { azurite, containerUrl } = await startVault(t, em);
  const tmp = providerTempFolder(t);
  const [id] = healthyIds(em, 1) as [string];
  const prefix = "IR-4711/files/";
  const destination = { blobContainerUrl: containerUrl, blobPrefix: prefix, requireImmutableStorage: false };
  const s = await emulatorStack(em, filesProgram([id], destination, WINDOWS_PATHS), { env: { TMPDIR: tmp } });
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  const actionId = (up.outputs.actionIds?.value as string[] | undefined)?.[0] as string;
  const files = (up.outputs.files?.value as LiveResponseFile[][] | undefined)?.[0] ?? [];
  t.is(files.length, WINDOWS_PATHS.length);
  const nameOf = (url: string) => decodeURIComponent(url.slice(containerUrl.length + 1));
  for (const file of files) {
    t.true(file.blobUrl?.startsWith(`${containerUrl}/IR-4711/files/`), file.blobUrl);
    t.false(file.blobUrl?.includes("?"), "no query string in a blob URL");
    t.is(file.localPath, undefined);
    await assertCollectedFile(t, em, id, actionId, file, async (url) => {
      return (await azurite.readBlob(VAULT_CONTAINER, nameOf(url))).bytes;
    });
    const blob = await azurite.readBlob(VAULT_CONTAINER, nameOf(file.blobUrl as string));
    t.like(blob.metadata, { sha256: sha256Of(blob.bytes), actionid: actionId });
  }
  const blobs = await azurite.listBlobs(VAULT_CONTAINER);
  t.is(blobs.length, 2 * WINDOWS_PATHS.length, "a blob and a manifest per file, nothing else");
  t.deepEqual(leftovers(tmp), [], "the temporary copies are gone");

  const state = await s.exportState();
  const texts = {
    "exported state": state.text,
    "backend files": backendText(s),
    "engine output": s.output(),
  };
  t.deepEqual(resultLinkHits(texts), []);
  for (const [name, text] of Object.entries(texts)) {
    t.false(JWT_PATTERN.test(text), `no bearer token in ${name}`);
    t.false(/[?&]sig=/.test(text), `no SAS in ${name}`);
  }

  const again = await s.up();
  t.deepEqual(
    [again.summary.resourceChanges?.create ?? 0, again.summary.resourceChanges?.update ?? 0],
    [0, 0],
  );
  t.deepEqual(
    liveResponseCalls(em),
    { sessions: 1, links: 3, downloads: 3 },
    "one session, one link per file",
  );
});
