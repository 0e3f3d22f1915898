/**
 * The packed library in a project of a user's own: `npm pack` of the repository root, installed
 * with `npm install <tarball> @pulumi/pulumi@<version>` into a plain-JavaScript Pulumi project outside
 * the repository, then `pulumi stack init`, `config set`, `up`, `refresh`, an unchanged `up` and
 * `destroy` with the CLI against the emulator. Once with the newest `@pulumi/pulumi` the registry
 * serves and once with the lowest the peer range allows: each time exactly one copy of the SDK is
 * installed (a second copy breaks every resource), and the collection works.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import {
  callsOf,
  consumerDir,
  createFolderProgram,
  emulatorConfig,
  healthyIds,
  installedCopies,
  installFootprint,
  npm,
  type PackedLibrary,
  packLibrary,
  REPO_ROOT,
  resourceSummary,
  startTestEmulator,
  writeFiles,
} from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets } from "../helpers/faults";

/** The lowest `@pulumi/pulumi` of the library's peer range (`>=3.259.0 <4`). */
const LOWEST_SDK = "3.259.0";
const keep = process.env.KEEP_ENGINE_TMP === "1";

/** A plain-JavaScript Pulumi project, as `pulumi new javascript` would lay it out. */
const CONSUMER_FILES: Record<string, string> = {
  "package.json": `${JSON.stringify({ name: "mde-consumer", version: "1.0.0", private: true, main: "index.js" }, null, 2)}\n`,
  "Pulumi.yaml": [
    "name: mde-consumer",
    "description: Collects one investigation package with pulumi-mde.",
    "runtime:",
    "  name: nodejs",
    "  options:",
    "    packagemanager: npm",
    "",
  ].join("\n"),
  "index.js": `"use strict";
const pulumi = require("@pulumi/pulumi");
const { InvestigationPackageCollection } = require("pulumi-mde");

const config = new pulumi.Config("consumer");
const collection = new InvestigationPackageCollection("ws-042", {
  machineId: config.require("machineId"),
  comment: "IR-4711: collect forensics after alert 1234",
  waitForCompletion: true,
});

exports.actionId = collection.actionId;
exports.status = collection.status;
// Where the program's modules came from: the project's own node_modules, nothing of the repository.
exports.sdkVersion = require("@pulumi/pulumi/package.json").version;
exports.libraryFile = require.resolve("pulumi-mde");
`,
};

let packed: Promise<{ library: PackedLibrary; dir: string }> | undefined;

/** Packs the library once per test file (from the build in dist/). */
function packedLibrary(): Promise<{ library: PackedLibrary; dir: string }> {
  packed ??= (async () => {
    const dir = consumerDir("pulumi-mde-pack-");
    return { library: await packLibrary(dir), dir };
  })();
  return packed;
}

test.after.always(async () => {
  if (packed && !keep) rmSync((await packed).dir, { recursive: true, force: true });
});

async function newestSdk(): Promise<string> {
  const { stdout } = await npm(["view", "@pulumi/pulumi", "version"], os.tmpdir());
  return stdout.trim();
}

async function consumerRuns(t: ExecutionContext, sdkVersion: string): Promise<void> {
  const started = Date.now();
  const { library } = await packedLibrary();
  t.true(library.files.includes("dist/src/sdk/index.js"));
  t.true(library.files.includes("dist/src/provider/index.js"));
  t.false(
    library.files.some((f) =>
      /^(test|bench|packages|examples|scripts)\/|^dist\/(test|bench|examples)\//.test(f),
    ),
    "no tests, bench, workspaces or examples in the package",
  );

  const stale = library.files.filter(
    (f) =>
      f.startsWith("dist/src/") &&
      !existsSync(path.join(REPO_ROOT, f.replace(/^dist\//, "").replace(/(\.d\.ts|\.js\.map|\.js)$/, ".ts"))),
  );
  // A stale dist/ (a source renamed since the last clean build) would ship dead files: worth a look
  // before publishing, but not a failure of the package under test.
  if (stale.length > 0)
    t.log(`warning: packed build files without a source (stale dist/src): ${stale.join(", ")}`);

  const dir = consumerDir();
  t.teardown(() => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });
  writeFiles(dir, CONSUMER_FILES);
  const install = await npm(["install", library.tarball, `@pulumi/pulumi@${sdkVersion}`], dir);

  const copies = await installedCopies(dir, "@pulumi/pulumi");
  t.deepEqual(
    copies,
    [{ path: path.join(dir, "node_modules", "@pulumi", "pulumi"), version: sdkVersion }],
    "exactly one copy of @pulumi/pulumi, the project's",
  );
  t.false(existsSync(path.join(dir, "node_modules", "pulumi-mde", "node_modules", "@pulumi")));
  const footprint = await installFootprint(dir);

  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const p = createFolderProgram({
    programDir: dir,
    stackName: "dev",
    config: { ...emulatorConfig(em), "consumer:machineId": { value: machineId! } },
  });
  t.teardown(() => p.dispose());

  await p.init();
  const up = await p.up();
  t.like(resourceSummary(up.stdout), { created: 2 });
  const outputs = await p.outputs();
  t.is(outputs.sdkVersion, sdkVersion, "the program ran on the SDK version installed");
  t.is(
    outputs.libraryFile,
    path.join(dir, "node_modules", "pulumi-mde", "dist", "src", "sdk", "index.js"),
    "the library came from the installed package",
  );
  t.is(outputs.status, "Succeeded");
  t.regex(String(outputs.actionId), /^[0-9a-f-]{36}$/);
  t.is(callsOf(em, "collect").length, 1, "one collection POST");
  t.is(callsOf(em, "collect")[0]?.status, 201);

  await p.refresh();
  const state = await p.exportState();
  t.like(state.resources[0]?.outputs, { status: "Succeeded", actionId: outputs.actionId, machineId });
  await p.upExpectingNoChanges();
  t.is(callsOf(em, "collect").length, 1, "no POST on refresh or an unchanged up");
  await p.destroy();
  t.deepEqual((await p.exportState()).resources, [], "nothing left in state");
  assertNoSecrets(
    t,
    { state: p.backendText(), export: state.text, config: p.configText(), output: p.output() },
    emulatorSecrets(em),
  );

  t.log(
    `@pulumi/pulumi ${sdkVersion}: tarball ${library.size} B packed, ${library.unpackedSize} B unpacked, ${library.files.length} files; ` +
      `install ${install.durationInMs} ms, ${footprint.packages} packages, ${footprint.megabytes} MB; ` +
      `${p
        .runs()
        .map((r) => `${r.args.slice(0, 2).join(" ")} ${r.durationInMs} ms`)
        .join(", ")}; total ${Date.now() - started} ms`,
  );
}

test("the packed library works with the newest @pulumi/pulumi the registry serves", async (t) => {
  const newest = await newestSdk();
  t.regex(newest, /^3\.\d+\.\d+$/, "the newest release is still in the peer range (<4)");
  await consumerRuns(t, newest);
});

test("the packed library works with the lowest supported @pulumi/pulumi", async (t) => {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    peerDependencies: Record<string, string>;
  };
  const peer = manifest.peerDependencies["@pulumi/pulumi"] ?? "";
  t.true(peer.startsWith(`>=${LOWEST_SDK} `), `the peer range ${peer} starts at ${LOWEST_SDK}`);
  await consumerRuns(t, LOWEST_SDK);
});
