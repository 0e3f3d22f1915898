/**
 * The main job (`npm start`): a collection run from start to finish on the real Pulumi engine
 * against the local Defender emulator. It starts the emulator in-process, collects investigation
 * packages from a handful of devices (waiting for the online ones), refreshes, prints a summary,
 * then destroys the stack. Exits non-zero when an online device did not yield a package.
 */

import { InvestigationPackageCollection } from "pulumi-mde";
import type { Device, Emulator } from "pulumi-mde-emulator";
import { startEmulator } from "pulumi-mde-emulator";
import { createTestStack } from "pulumi-mde-harness";

/** One emulated minute per real second: a collection (about 6 emulated minutes) takes seconds. */
const TIME_SCALE = 60;

/** Platforms to collect from, one device each, plus one device that is offline. */
const WANTED_PLATFORMS = ["Windows11", "Windows10", "WindowsServer2022", "Linux", "macOS"];

interface Target {
  device: Device;
  online: boolean;
}

function pickTargets(em: Emulator): Target[] {
  const online = (d: Device) =>
    d.healthStatus === "Active" &&
    d.behavior?.offline !== true &&
    d.behavior?.collectionOutcome !== "Failed" &&
    d.behavior?.collectionSupported !== false;
  const targets: Target[] = [];
  for (const platform of WANTED_PLATFORMS) {
    const device = em.fleet.find((d) => d.osPlatform === platform && online(d));
    if (device) targets.push({ device, online: true });
  }
  const offline = em.fleet.find((d) => d.behavior?.offline === true || d.healthStatus === "Inactive");
  if (offline) targets.push({ device: offline, online: false });
  return targets;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

async function main(): Promise<number> {
  const em = await startEmulator({ timeScale: TIME_SCALE });
  const targets = pickTargets(em);
  console.log(`Defender emulator at ${em.url} (time scale ${TIME_SCALE}: one emulated minute per second)`);
  console.log(
    `Collecting from ${targets.length} devices: ${targets.map((t) => t.device.computerDnsName).join(", ")}\n`,
  );

  const stack = await createTestStack({
    baseDir: ".tmp/main",
    projectName: "mde-demo",
    program: async () => {
      const out: Record<string, unknown> = {};
      for (const { device, online } of targets) {
        const name = device.computerDnsName.split(".")[0] ?? device.id;
        const c = new InvestigationPackageCollection(name, {
          machineId: device.id,
          comment: "IR-4711: collect forensics after alert 1234 (exercise)",
          // Wait for the devices that are online; the offline one would only time out.
          waitForCompletion: online,
          completionTimeoutInMinutes: 30,
        });
        out[name] = { actionId: c.actionId, status: c.status, adopted: c.adopted };
      }
      return out;
    },
    config: em.providerConfig(),
  });

  try {
    const started = Date.now();
    const up = await stack.up({ parallel: 8 });
    const upSeconds = (Date.now() - started) / 1000;
    await stack.refresh();
    const { resources } = await stack.exportState();

    const rows = [["device", "platform", "action", "status", "waited"]];
    let failures = 0;
    for (const { device, online } of targets) {
      const r = resources.find((res) => res.outputs?.machineId === device.id);
      const status = String(r?.outputs?.status ?? "missing");
      if (online && status !== "Succeeded") failures++;
      rows.push([
        device.computerDnsName,
        device.osPlatform,
        r?.id ?? "-",
        status,
        online ? "yes" : "no (offline)",
      ]);
    }
    console.log(table(rows));
    const posts = em.calls({ route: "collect" });
    console.log(
      `\n${up.summary.resourceChanges?.create ?? 0} resources created in ${upSeconds.toFixed(1)} s; ` +
        `${posts.length} collection requests, ${em.calls({ route: "token" }).length} token request(s), ` +
        `${em.calls().filter((c) => c.status === 429).length} throttled.`,
    );
    await stack.destroy();
    console.log("Stack destroyed (the evidence stays collected; destroy only drops state).");
    if (failures > 0) console.error(`${failures} online device(s) did not yield a package.`);
    return failures > 0 ? 1 : 0;
  } finally {
    await stack.dispose();
    await em.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
