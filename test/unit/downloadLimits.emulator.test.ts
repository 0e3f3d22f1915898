/**
 * Every wait of a package transfer is bounded, against the emulator's link host over HTTPS: a host that
 * trickles is cut off at the transfer deadline, a stalled attempt resumes, a body without end is cut at
 * the size cap, a package announced larger than the cap is refused before its first byte, and a cancelled
 * transfer stops at once. In every failure nothing is left in the folder, not even a `.part` file.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { type EmulatorOptions, startEmulator } from "pulumi-mde-emulator";
import { getDefenderClient } from "../../src/client/sharedClients";
import { downloadEvidence } from "../../src/resources/download/downloadEvidence";
import type { DownloadInputs } from "../../src/resources/download/downloadInputs";
import { partialFileList } from "../../src/resources/evidence/partialFiles";
import { emulatorSettings } from "./helpers/emulatorSettings";

const SCALE = 120;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

async function setup(t: { teardown(fn: () => unknown): void }, options: EmulatorOptions = {}) {
  const em = await startEmulator({ timeScale: SCALE, lifecycle: LIFECYCLE, ...options });
  t.teardown(() => em.close());
  const directory = mkdtempSync(path.join(tmpdir(), "mde-limits-"));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const settings = emulatorSettings(em, {}, em.defaultApp, SCALE);
  const client = getDefenderClient(settings);
  const device = em.fleet.find((d) => d.computerDnsName.startsWith("fin-lt-0001"));
  if (!device) throw new Error("no device fin-lt-0001");
  const action = (await client.collectInvestigationPackage(device.id, "IR-20: limits")).action;
  const inputs = (extra: Partial<DownloadInputs> = {}): DownloadInputs => ({
    actionId: action.id,
    directory,
    timeoutInMinutes: 60,
    pulumiStack: "proj/dev",
    ...extra,
  });
  return { em, directory, settings, action, inputs };
}

test("a link host trickling one byte every 0.3 s is cut off at the transfer deadline, leaving nothing", async (t) => {
  const { em, directory, settings, inputs } = await setup(t);
  em.injectFault({ route: "download", kind: "trickle", intervalMs: 300, times: 10 });
  const started = Date.now();
  // 3 s of transfer: the stall timeout (60 s) never fires, bytes keep coming, too slowly.
  const error = await t.throwsAsync(downloadEvidence(settings, inputs({ transferTimeoutInMinutes: 0.05 })));
  const elapsed = Date.now() - started;
  t.is((error as { code?: string }).code, "MDE_TRANSFER_TIMEOUT");
  t.regex(error?.message ?? "", /transferTimeoutInMinutes/);
  // The collection's wait (1.5 s at this time scale) comes before the deadline's clock starts.
  t.true(elapsed < 10_000, `ended within the deadline (${elapsed} ms)`);
  t.deepEqual(readdirSync(directory), [], "no package, no manifest, no .part file");
  t.deepEqual(partialFileList(), [], "no partial file left registered");
  const [call] = em.calls({ route: "download" });
  t.true((call?.bodyBytes ?? 0) < 20, "a few bytes had trickled in");
});

test("an attempt that receives nothing for the stall timeout is resumed and the package arrives", async (t) => {
  const { em, directory, settings, action, inputs } = await setup(t);
  // The first answer sends its headers, then nothing for 3 s.
  em.injectFault({ route: "download", kind: "trickle", intervalMs: 3_000, bytes: 1 });
  const result = await downloadEvidence(settings, inputs(), { stallTimeoutInMs: 800 });
  t.is(result.manifest.package.sha256, await em.packageSha256(action.id));
  // The stalled answer is recorded once the emulator notices the client left (at its next piece).
  for (let i = 0; i < 150 && em.calls({ route: "download" }).length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const calls = em.calls({ route: "download" });
  t.log(calls.map((c) => `${c.status} ${c.errorCode ?? ""} ${c.bodyBytes}`));
  t.is(calls.length, 2, "the stalled attempt, then one that completed");
  t.true(
    calls.some((c) => c.errorCode === "clientClosed" && (c.bodyBytes ?? 0) === 0),
    "the client left the stalled one",
  );
  t.is(readdirSync(directory).length, 2, "the package and its manifest");
});

test("a body without Content-Length that never ends is cut at maxPackageSizeInBytes before the disk fills", async (t) => {
  const { em, directory, settings, inputs } = await setup(t);
  em.injectFault({ route: "download", kind: "endlessBody" });
  const cap = 3 * 1024 * 1024;
  const error = await t.throwsAsync(downloadEvidence(settings, inputs({ maxPackageSizeInBytes: cap })));
  t.is((error as { code?: string }).code, "MDE_PACKAGE_TOO_LARGE");
  t.regex(error?.message ?? "", /maxPackageSizeInBytes/);
  t.deepEqual(readdirSync(directory), [], "nothing kept");
  const calls = em.calls({ route: "download" });
  t.is(calls.length, 1, "not retried: the host would send without end again");
  // The host stops once the client has gone; what it managed to send is bounded by the socket buffers.
  t.true((calls[0]?.bodyBytes ?? 0) < cap + 8 * 1024 * 1024, `sent ${calls[0]?.bodyBytes} bytes`);
});

test("a package announced larger than maxPackageSizeInBytes is refused before its first byte", async (t) => {
  const { em, directory, settings, action, inputs } = await setup(t);
  const error = await t.throwsAsync(downloadEvidence(settings, inputs({ maxPackageSizeInBytes: 1000 })));
  t.is((error as { code?: string }).code, "MDE_PACKAGE_TOO_LARGE");
  t.regex(error?.message ?? "", new RegExp(`announces a package of ${em.packageSize(action.id)} bytes`));
  t.deepEqual(readdirSync(directory), []);
});

test("cancelling a transfer stops it at once and removes the partial file", async (t) => {
  const { em, directory, settings, inputs } = await setup(t);
  em.injectFault({ route: "download", kind: "trickle", intervalMs: 100, bytes: 64 });
  const controller = new AbortController();
  const pending = downloadEvidence(settings, inputs(), { signal: controller.signal });
  // Cancel once bytes flow (the .part file exists).
  for (let i = 0; i < 100 && !readdirSync(directory).some((n) => n.endsWith(".part")); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.true(
    readdirSync(directory).some((n) => n.endsWith(".part")),
    "the transfer was under way",
  );
  const cancelledAt = Date.now();
  controller.abort();
  const error = await t.throwsAsync(pending);
  t.is((error as { code?: string }).code, "MDE_ABORTED");
  t.true(Date.now() - cancelledAt < 2_000, "stopped at once");
  t.deepEqual(readdirSync(directory), [], "the partial file is gone");
});
