/**
 * The evidence download against the emulator over HTTPS, without the engine: the bytes on disk are the
 * bytes served, a cut transfer resumes (or restarts without range support), an expired link is replaced,
 * a corrupted package is never accepted, and an action that did not succeed writes nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { type EmulatorOptions, startEmulator } from "pulumi-mde-emulator";
import { getDefenderClient } from "../../src/client/sharedClients";
import { downloadEvidence } from "../../src/resources/download/downloadEvidence";
import type { EvidenceManifest } from "../../src/resources/evidence/evidenceManifest";
import { emulatorSettings } from "./helpers/emulatorSettings";

/** One emulated minute per 0.5 real second: a collection takes 1.5 s, a link minute 0.5 s. */
const SCALE = 120;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

async function setup(t: { teardown(fn: () => unknown): void }, options: EmulatorOptions = {}) {
  const em = await startEmulator({ timeScale: SCALE, lifecycle: LIFECYCLE, ...options });
  t.teardown(() => em.close());
  const directory = mkdtempSync(path.join(tmpdir(), "mde-evidence-"));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const settings = emulatorSettings(em, {}, em.defaultApp, SCALE);
  const client = getDefenderClient(settings);
  const collect = async (name = "fin-lt-0001") => {
    const device = em.fleet.find((d) => d.computerDnsName.startsWith(name));
    if (!device) throw new Error(`no device ${name}`);
    return (await client.collectInvestigationPackage(device.id, `IR-9: evidence of ${name}`)).action;
  };
  const inputs = (actionId: string, timeoutInMinutes = 60) => ({
    actionId,
    directory,
    timeoutInMinutes,
    pulumiStack: "proj/dev",
  });
  return { em, directory, settings, collect, inputs };
}

test("waits for Succeeded, writes the served bytes and a manifest, sends no bearer token to the link", async (t) => {
  const { em, directory, settings, collect, inputs } = await setup(t);
  const action = await collect();
  const result = await downloadEvidence(settings, inputs(action.id));
  const expected = await em.packageSha256(action.id);
  t.is(result.manifest.package.sha256, expected);
  t.is(result.manifest.package.sizeInBytes, em.packageSize(action.id));
  t.is(path.dirname(result.location.path), directory);
  t.regex(path.basename(result.location.path), new RegExp(`^fin-lt-0001[a-z0-9._-]*-${action.id}\\.zip$`));
  t.deepEqual(readdirSync(directory).sort(), [
    path.basename(result.location.manifestPath),
    path.basename(result.location.path),
  ]);
  const manifest = JSON.parse(readFileSync(result.location.manifestPath, "utf8")) as EvidenceManifest;
  t.like(manifest, {
    action: { id: action.id, machineId: action.machineId, requestorComment: "IR-9: evidence of fin-lt-0001" },
    download: { apiHost: new URL(em.url).host, linkRequests: 1, resumedTransfers: 0, restartedTransfers: 0 },
    pulumi: { project: "proj", stack: "dev" },
    tool: { name: "pulumi-mde" },
  });
  t.true(manifest.package.zipEntriesVerified > 5);
  t.regex(manifest.tool.version, /^\d+\.\d+\.\d+/);
  const downloads = em.calls({ route: "download" });
  t.is(downloads.length, 1);
  t.false(downloads[0]?.authorizationHeader, "no Authorization header on the link");
  const text = readFileSync(result.location.manifestPath, "utf8");
  t.false(text.includes("sig="), "no link in the manifest");
});

test("a transfer cut mid-way resumes with a Range request and hashes every byte once", async (t) => {
  const { em, settings, collect, inputs } = await setup(t, { packagePaddingBytes: 1_000_000 });
  const action = await collect();
  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: 300_000 });
  const result = await downloadEvidence(settings, inputs(action.id));
  t.is(result.manifest.package.sha256, await em.packageSha256(action.id));
  const [cut, rest] = em.calls({ route: "download" });
  t.like(cut, { status: 200, bodyBytes: 300_000 });
  t.is(rest?.status, 206);
  // What the client had buffered but not written when the connection dropped is asked for again.
  const from = Number(/^bytes=(\d+)-$/.exec(rest?.range ?? "")?.[1]);
  t.true(from > 0 && from <= 300_000, `resumed from byte ${from}`);
  t.is(rest?.bodyBytes, em.packageSize(action.id) - from);
  t.is(result.manifest.download.resumedTransfers, 1);
  t.is(result.manifest.download.linkRequests, 1);
});

test("without range support a cut transfer starts over from the first byte", async (t) => {
  const { em, settings, collect, inputs } = await setup(t, {
    packagePaddingBytes: 1_000_000,
    downloadRanges: false,
  });
  const action = await collect();
  em.injectFault({ route: "download", kind: "cutAfterBytes", bytes: 300_000 });
  const result = await downloadEvidence(settings, inputs(action.id));
  t.is(result.manifest.package.sha256, await em.packageSha256(action.id));
  t.deepEqual(
    em.calls({ route: "download" }).map((c) => [c.status, c.range]),
    [
      [200, undefined],
      [200, undefined],
    ],
  );
  t.is(result.manifest.download.restartedTransfers, 1);
});

test("an expired link (403 AuthenticationFailed) is replaced by a fresh one", async (t) => {
  // Links live 60 emulated seconds (0.5 s); the first download is held 1.5 s, so its link expires.
  const { em, settings, collect, inputs } = await setup(t, { packageLinkLifetimeSeconds: 60 });
  const action = await collect();
  em.injectFault({ route: "download", kind: "latency", ms: 1500 });
  const result = await downloadEvidence(settings, inputs(action.id));
  t.is(result.manifest.package.sha256, await em.packageSha256(action.id));
  t.deepEqual(
    em.calls({ route: "download" }).map((c) => [c.status, c.errorCode]),
    [
      [403, "AuthenticationFailed"],
      [200, undefined],
    ],
  );
  t.is(em.calls({ route: "getPackageUri" }).length, 2);
  t.is(result.manifest.download.linkRequests, 2);
});

test("a corrupted package is never accepted: clear error, nothing left in the folder", async (t) => {
  const { em, directory, settings, collect, inputs } = await setup(t, { packagePaddingBytes: 200_000 });
  const action = await collect();
  em.injectFault({ route: "download", kind: "corruptAt", offset: 100_000, times: 10 });
  const error = await t.throwsAsync(downloadEvidence(settings, inputs(action.id)));
  t.is((error as { code?: string }).code, "MDE_PACKAGE_CORRUPT");
  t.regex(error?.message ?? "", /damaged|do not match/);
  t.false(error?.message.includes("sig="));
  t.deepEqual(readdirSync(directory), [], "no zip, no manifest, no temporary file");
  t.is(em.calls({ route: "download" }).length, 3, "the first transfer and two more were tried");
});

test("a corruption that does not repeat is healed by one more transfer", async (t) => {
  const { em, settings, collect, inputs } = await setup(t);
  const action = await collect();
  em.injectFault({ route: "download", kind: "corruptAt", offset: 1000 });
  const result = await downloadEvidence(settings, inputs(action.id));
  t.is(result.manifest.package.sha256, await em.packageSha256(action.id));
  t.is(result.manifest.download.restartedTransfers, 1);
});

test("a failed collection names its status; a running one at the timeout writes nothing", async (t) => {
  const { em, directory, settings, collect, inputs } = await setup(t);
  const failed = await collect("lab-ws-0017");
  const error = await t.throwsAsync(downloadEvidence(settings, inputs(failed.id)));
  t.is((error as { code?: string }).code, "MDE_ACTION_NOT_SUCCEEDED");
  t.regex(error?.message ?? "", /ended Failed/);
  const offline = await collect("kiosk-0016");
  const late = await t.throwsAsync(downloadEvidence(settings, inputs(offline.id, 2)));
  t.is((late as { code?: string }).code, "MDE_ACTION_NOT_FINISHED");
  t.regex(late?.message ?? "", /still Pending after 2 minutes/);
  t.deepEqual(readdirSync(directory), []);
  t.is(em.calls({ route: "getPackageUri" }).length, 0);
});
