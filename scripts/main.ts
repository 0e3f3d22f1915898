/**
 * The main job (`npm start`): the incident-response runbook (the root `Pulumi.yaml`, a folder program)
 * run with the real `pulumi` CLI against the local Defender emulator, the way a responder runs it.
 * It collects from devices named by computer name, by device ID and by tag, waits for each, downloads
 * every package with its hash and manifest into `.demo/evidence`, prints the chain of custody, and
 * leaves the stack for inspection. Run it again: nothing to do. `npm start -- --destroy` removes it.
 *
 * `npm start -- --vault` runs the same runbook into a blob container instead: Azurite (the Azure
 * Storage emulator) starts beside the Defender emulator, a container `evidence` is created, and each
 * package and manifest becomes a blob there, checked by reading it back. Azurite keeps blobs in
 * memory, so that stack (`demo-vault`) starts fresh on every run.
 *
 * Everything it keeps is under `.demo/` (gitignored): the stack's state, its config file and the
 * evidence. The emulators run only while this script does.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { FLEET_ROLES, startEmulator } from "pulumi-mde-emulator";
import { type Azurite, ENGINE_BIN, engineEnv, REPO_ROOT, startAzurite } from "pulumi-mde-harness";

/** One emulated minute per real second: a collection (about 6 emulated minutes) takes seconds. */
const TIME_SCALE = 60;
/** Where the demo keeps everything: `.demo/` of the clone, or `MDE_DEMO_DIR` (the tests use a temp folder). */
const DEMO_DIR = process.env.MDE_DEMO_DIR
  ? path.resolve(process.env.MDE_DEMO_DIR)
  : path.join(REPO_ROOT, ".demo");
/** Evidence into a blob container in Azurite instead of a folder. */
const VAULT = process.argv.includes("--vault");
const STACK = VAULT ? "demo-vault" : "demo";
/** The container the vault demo creates in Azurite. */
const CONTAINER = "evidence";
const CONFIG_FILE = path.join(DEMO_DIR, `Pulumi.${STACK}.yaml`);
const EVIDENCE_DIR = path.join(DEMO_DIR, "evidence");
/** A stable identity for the emulator's app, so the stack's config means the same thing every run. */
const DEMO_APP = {
  tenantId: "4a8b6a5e-5d4f-4a36-9f2e-0d3c2b1a7e61",
  clientId: "9d2f6c1e-7b3a-4e58-8c4d-1f0a2b3c4d5e",
  clientSecret: "demo-secret-for-the-local-emulator-only",
};

const env = {
  ...process.env,
  ...engineEnv(path.join(DEMO_DIR, "state"), {
    PULUMI_HOME: path.join(DEMO_DIR, "home"),
    PULUMI_CONFIG_PASSPHRASE: "pulumi-mde-demo",
  }),
};

/**
 * Runs `pulumi <args>` in `cwd` (default: the repository); `show` streams its output (the engine's own
 * progress).
 */
function pulumi(
  args: string[],
  options: { show?: boolean; input?: string; cwd?: string } = {},
): Promise<string> {
  const color = options.show && process.stdout.isTTY ? "always" : "never";
  const all = [...args, "--stack", STACK, "--non-interactive", "--color", color];
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ENGINE_BIN, "pulumi"), all, { cwd: options.cwd ?? REPO_ROOT, env });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (options.show) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (options.show) process.stderr.write(chunk);
    });
    child.stdin.end(options.input ?? "");
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`pulumi ${args.join(" ")} failed (exit ${code}):\n${out}`)),
    );
  });
}

/**
 * Selects the demo stack, creating it when missing. Creating writes the passphrase salt to
 * Pulumi.<stack>.yaml beside the project file and takes no --config-file, so it runs on a copy of
 * Pulumi.yaml under the demo folder (same project name: the same stack), and the file it writes
 * becomes the stack's config file there: the clone gets no untracked file.
 */
async function selectStack(): Promise<void> {
  const projectCopy = path.join(DEMO_DIR, "project");
  mkdirSync(projectCopy, { recursive: true });
  copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(projectCopy, "Pulumi.yaml"));
  await pulumi(["stack", "select", "--create", "--secrets-provider", "passphrase"], { cwd: projectCopy });
  // Written only when the stack was created: its salt is the one that counts (every value is set again below).
  const written = path.join(projectCopy, `Pulumi.${STACK}.yaml`);
  if (existsSync(written)) renameSync(written, CONFIG_FILE);
}

/** `pulumi config set` with the value on stdin (never on a command line). */
function setConfig(key: string, value: string, extra: string[] = []): Promise<string> {
  return pulumi(["config", "set", key, "--config-file", CONFIG_FILE, ...extra], { input: value });
}

interface CustodyRow {
  device: string;
  computerDnsName: string;
  actionId: string;
  status: string;
  sha256: string;
  path: string;
  blobUrl?: string;
  isolated: boolean;
  files: Array<{ status: string }>;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

function hint(): string {
  const bin = path.relative(process.cwd(), ENGINE_BIN) || ".";
  // The provider runs on the first `node` on PATH: the project's Node 24.
  const node = path.relative(process.cwd(), path.join(REPO_ROOT, "node_modules", ".bin")) || ".";
  return [
    "The stack stays for you to look at (the emulator stops with this script; `pulumi refresh` needs it):",
    `  export PATH="${bin}:${node}:$PATH" PULUMI_BACKEND_URL="file://${path.join(DEMO_DIR, "state")}" \\`,
    `         PULUMI_HOME="${path.join(DEMO_DIR, "home")}" PULUMI_CONFIG_PASSPHRASE=pulumi-mde-demo`,
    `  pulumi stack --stack ${STACK} --show-ids                    # resources and action IDs`,
    `  pulumi stack output custody --stack ${STACK} --json         # the chain of custody`,
    `  ls ${path.relative(process.cwd(), EVIDENCE_DIR)}                                    # zips and manifests`,
    "Remove it: npm start -- --destroy   (destroy releases the devices and drops state; the evidence stays)",
  ].join("\n");
}

/** Reads every package blob back from Azurite and compares its SHA-256 with the custody row's. */
async function verifyBlobs(azurite: Azurite, custody: CustodyRow[]): Promise<string> {
  const prefix = `${azurite.containerUrl(CONTAINER)}/`;
  let matching = 0;
  for (const row of custody) {
    if (!row.blobUrl?.startsWith(prefix)) continue;
    const name = decodeURIComponent(row.blobUrl.slice(prefix.length));
    const blob = await azurite.readBlob(CONTAINER, name);
    if (createHash("sha256").update(blob.bytes).digest("hex") === row.sha256) matching++;
  }
  const manifests = (await azurite.listBlobs(CONTAINER)).filter((b) => b.name.endsWith(".manifest.json"));
  return `Read back from the container: ${matching} of ${custody.length} package blobs hash to their sha256; ${manifests.length} manifest blobs beside them.`;
}

/** The vault stack's evidence lived in an Azurite that is gone: remove the stack before a new run. */
async function forgetVaultStack(): Promise<void> {
  if (!existsSync(path.join(DEMO_DIR, "state"))) return;
  await pulumi(["stack", "rm", "--yes", "--force"]).catch(() => undefined);
  rmSync(CONFIG_FILE, { force: true });
}

async function destroy(): Promise<number> {
  if (!existsSync(path.join(DEMO_DIR, "state"))) {
    console.log("Nothing to destroy: no demo stack.");
    return 0;
  }
  // Destroying releases the isolated devices, which needs the API: a fresh emulator stands in for the one
  // that went with the last run (its devices start released, so nothing is posted).
  const em = await startEmulator({ timeScale: TIME_SCALE, apps: [{ ...DEMO_APP }] });
  try {
    await selectStack();
    for (const [key, value] of Object.entries(em.providerConfig())) {
      await setConfig(key, value.value, value.secret ? ["--secret"] : []);
    }
    // --run-program: the providers take the stack's current config (this emulator), not the last run's.
    await pulumi(["destroy", "--yes", "--skip-preview", "--run-program", "--config-file", CONFIG_FILE], {
      show: true,
    });
  } finally {
    await em.close();
  }
  await pulumi(["stack", "rm", "--yes"]);
  for (const kept of ["state", "home", "project", path.basename(CONFIG_FILE)]) {
    rmSync(path.join(DEMO_DIR, kept), { recursive: true, force: true });
  }
  console.log(`Demo stack removed. The evidence stays in ${EVIDENCE_DIR}.`);
  return 0;
}

async function main(): Promise<number> {
  if (process.argv.includes("--destroy")) return destroy();
  const em = await startEmulator({ timeScale: TIME_SCALE, apps: [{ ...DEMO_APP }] });
  let azurite: Azurite | undefined;
  try {
    if (VAULT) {
      await forgetVaultStack();
      azurite = await startAzurite({ caFrom: em });
    }
    mkdirSync(path.join(DEMO_DIR, "state"), { recursive: true });
    await selectStack();
    // The emulator's endpoint and CA change with every start; the stack's resources do not depend on them.
    for (const [key, value] of Object.entries(em.providerConfig())) {
      await setConfig(key, value.value, value.secret ? ["--secret"] : []);
    }
    const named = [FLEET_ROLES.healthy[0].computerDnsName, FLEET_ROLES.healthy[1].id];
    await setConfig(
      "runbook:alert",
      "IR-4711: ransomware behaviour on the finance floor (alert 1234, exercise)",
    );
    await setConfig("runbook:devices", JSON.stringify(named));
    await setConfig("runbook:tag", FLEET_ROLES.incident.tag);
    let destination = path.relative(process.cwd(), EVIDENCE_DIR);
    if (azurite) {
      destination = await azurite.createContainer(CONTAINER);
      await setConfig("runbook:evidenceContainerUrl", destination);
      await setConfig("runbook:evidencePrefix", "IR-4711/");
      // Azurite implements no immutability (no retention policy, no legal hold): against a real
      // account, leave requireImmutableStorage at its default (true) and give the container a WORM policy.
      await setConfig("runbook:requireImmutableStorage", "false");
    } else {
      await setConfig("runbook:evidenceDirectory", EVIDENCE_DIR);
    }

    console.log(`Defender emulator at ${em.url} (x${TIME_SCALE}: one emulated minute per second).`);
    if (azurite) {
      console.log(
        `Azurite at ${azurite.blobEndpoint}, container ${CONTAINER}; requireImmutableStorage is false because ` +
          "Azurite has no immutability policies (a real evidence container must have one).",
      );
    }
    console.log(
      `Runbook: devices ${named.join(", ")} and every device tagged ${FLEET_ROLES.incident.tag}; ` +
        `collect, wait, download to ${destination}.\n`,
    );
    // The engine's own progress streams to the terminal; the custody table follows, so outputs are not dumped.
    const up = await pulumi(
      ["up", "--yes", "--skip-preview", "--suppress-outputs", "--config-file", CONFIG_FILE],
      {
        show: true,
      },
    );
    // The summary line the CLI prints when nothing changed.
    const nothingToDo = !/\b(created|updated|replaced|deleted)\b/.test(up.split("Resources:").pop() ?? "");
    const custody = JSON.parse(await pulumi(["stack", "output", "custody", "--json"])) as CustodyRow[];
    const rows = [["device", "isolated", "action", "status", "sha256", "package", "files"]];
    for (const r of custody) {
      rows.push([
        r.computerDnsName || r.device,
        r.isolated ? "yes" : "no",
        r.actionId,
        r.status,
        r.sha256,
        r.blobUrl || path.relative(process.cwd(), r.path),
        `${r.files.filter((f) => f.status === "collected").length}/${r.files.length}`,
      ]);
    }
    console.log(`\nChain of custody (${custody.length} devices):\n${table(rows)}\n`);
    if (azurite) console.log(`${await verifyBlobs(azurite, custody)}\n`);
    if (nothingToDo) console.log("Nothing to do: every collection is done and every package is in place.\n");
    console.log(
      `${em.calls({ route: "isolate" }).length} isolation requests, ${em.calls({ route: "collect" }).length} collection requests, ` +
        `${em.calls({ route: "liveResponse" }).length} live response sessions, ${em.calls({ route: "getPackageUri" }).length} ` +
        `package links, ${em.calls().filter((c) => c.status === 429).length} throttled.\n`,
    );
    console.log(
      azurite
        ? "The blobs lived in Azurite's memory and go with this script; the next --vault run starts a fresh stack."
        : hint(),
    );
    return custody.every((r) => r.status === "Succeeded") ? 0 : 1;
  } finally {
    await azurite?.stop();
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
