/**
 * README code is tested code. Every TypeScript block of README.md, the examples' READMEs and the
 * emulator's README is compiled in a project of a user's own: the packed library and the packed
 * emulator, the newest `@pulumi/pulumi` the registry serves, the newest TypeScript that version
 * accepts (its peer range), the newest `@types/node`, and the `tsconfig.json` README.md recommends,
 * verbatim. The README's first program and its device-targeting program then run as written, with the
 * `pulumi` CLI, as TypeScript (`main: index.ts`), against the emulator.
 *
 * A block that is deliberately not a whole program is marked `<!-- compile: skip -->` on the line
 * before its fence (none is, today).
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import type { Emulator } from "pulumi-mde-emulator";
import {
  callsOf,
  consumerDir,
  createFolderProgram,
  emulatorConfig,
  type FolderConfig,
  healthyIds,
  npm,
  npmEnv,
  packEmulator,
  packLibrary,
  startTestEmulator,
  writeFiles,
} from "pulumi-mde-harness";
import { type CodeBlock, recommendedTsconfig, typescriptBlocks } from "../helpers/readmeBlocks";

const keep = process.env.KEEP_ENGINE_TMP === "1";

interface Project {
  dir: string;
  sdkVersion: string;
  typescriptVersion: string;
}

let project: Promise<Project> | undefined;

/** One consumer project per test file: both tarballs and the newest registry versions. */
function consumerProject(): Promise<Project> {
  project ??= (async () => {
    const dir = consumerDir("pulumi-mde-readme-");
    const packs = path.join(dir, ".packs");
    const [library, emulator] = [await packLibrary(packs), await packEmulator(packs)];
    const { stdout: sdk } = await npm(["view", "@pulumi/pulumi", "version"], os.tmpdir());
    const sdkVersion = sdk.trim();
    const { stdout: peers } = await npm(
      ["view", `@pulumi/pulumi@${sdkVersion}`, "peerDependencies", "--json"],
      os.tmpdir(),
    );
    // `npm install typescript` alone gives a TypeScript @pulumi/pulumi may not accept (ERESOLVE): the
    // newest within its peer range is what a user can install next to it.
    const tsRange = (JSON.parse(peers) as Record<string, string>).typescript ?? "*";
    writeFiles(dir, {
      "package.json": `${JSON.stringify({ name: "ir", version: "1.0.0", private: true, main: "index.ts" }, null, 2)}\n`,
      "Pulumi.yaml": "name: ir\nruntime: nodejs\n",
      "tsconfig.json": recommendedTsconfig(),
    });
    await npm(
      [
        "install",
        library.tarball,
        emulator.tarball,
        `@pulumi/pulumi@${sdkVersion}`,
        `typescript@${tsRange}`,
        "@types/node@latest",
      ],
      dir,
    );
    const typescriptVersion = (
      JSON.parse(readFileSync(path.join(dir, "node_modules", "typescript", "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
    return { dir, sdkVersion, typescriptVersion };
  })();
  return project;
}

test.after.always(async () => {
  if (project && !keep) rmSync((await project).dir, { recursive: true, force: true });
});

/** `tsc -p <folder>` with the project's TypeScript: exit code and what it printed. */
function tsc(cwd: string, folder: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      [path.join(cwd, "node_modules", "typescript", "bin", "tsc"), "-p", folder, "--pretty", "false"],
      { cwd, env: npmEnv(), timeout: 120_000 },
      (error, stdout, stderr) => {
        const raw = error ? (error as { code?: unknown }).code : 0;
        resolve({ code: typeof raw === "number" ? raw : -1, output: stdout + stderr });
      },
    );
  });
}

/** Writes `block` as `blocks/<n>/index.ts` with the recommended tsconfig.json and compiles it. */
async function compile(p: Project, block: CodeBlock, n: number, code = block.code) {
  const folder = path.join("blocks", String(n));
  writeFiles(p.dir, {
    [path.join(folder, "index.ts")]: code,
    [path.join(folder, "tsconfig.json")]: recommendedTsconfig(),
  });
  return tsc(p.dir, folder);
}

const blocks = typescriptBlocks();

test("every TypeScript block of the READMEs compiles with the recommended tsconfig.json", async (t) => {
  const p = await consumerProject();
  const compiled = blocks.filter((b) => !b.skip);
  t.true(compiled.length >= 5, `found ${compiled.length} TypeScript blocks to compile`);
  t.true(
    compiled.some((b) => b.file === "packages/emulator/README.md"),
    "the emulator's README is covered",
  );
  const failures: string[] = [];
  for (const [n, block] of compiled.entries()) {
    const result = await compile(p, block, n);
    if (result.code !== 0) failures.push(`${block.file}:${block.line}\n${result.output}`);
  }
  t.deepEqual(failures, [], failures.join("\n"));
  t.log(
    `${compiled.length} blocks (${blocks.length - compiled.length} skipped) with @pulumi/pulumi ${p.sdkVersion}, ` +
      `TypeScript ${p.typescriptVersion}`,
  );
});

test("a README block that stops compiling fails (the check is real)", async (t) => {
  const p = await consumerProject();
  const first = blocks[0];
  if (!first) return t.fail("README.md has no TypeScript block");
  t.is(first.file, "README.md");
  const broken = first.code.replace("waitForCompletion", "waitForCompletoin");
  t.not(broken, first.code);
  const result = await compile(p, first, 1000, broken);
  t.not(result.code, 0);
  t.regex(result.output, /waitForCompletoin/);
  // The tsconfig.json most Pulumi projects have is refused by this TypeScript: why the README shows another.
  const legacy = path.join("blocks", "legacy");
  writeFiles(p.dir, {
    [path.join(legacy, "index.ts")]: first.code,
    [path.join(legacy, "tsconfig.json")]: JSON.stringify({
      compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node" },
      files: ["index.ts"],
    }),
  });
  const old = await tsc(p.dir, legacy);
  if (Number(p.typescriptVersion.split(".")[0]) >= 6) t.regex(old.output, /TS5107|TS5110/);
});

/** Runs `block` as the project's index.ts with the CLI against `em`; returns its outputs. */
async function runProgram(
  t: ExecutionContext,
  p: Project,
  block: CodeBlock,
  config: FolderConfig,
  env: Record<string, string> = {},
) {
  writeFiles(p.dir, { "index.ts": block.code });
  const program = createFolderProgram({ programDir: p.dir, stackName: `readme${block.line}`, config, env });
  t.teardown(() => program.dispose());
  await program.init();
  await program.up();
  const outputs = await program.outputs();
  await program.destroy();
  return outputs;
}

/** The provider's config for the emulator, as `pulumi config set` takes it. */
function folderConfig(em: Emulator): FolderConfig {
  return Object.fromEntries(
    Object.entries(emulatorConfig(em)).map(([key, v]) => [
      key,
      { value: v.value, secret: v.secret ?? false },
    ]),
  );
}

test.serial("the README's first program runs as written against the emulator", async (t) => {
  const p = await consumerProject();
  const first = blocks[0];
  if (!first) return t.fail("README.md has no TypeScript block");
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  // The device the README names.
  const device = em.onboardDevice({ computerDnsName: "ws-042.contoso.local", osPlatform: "Windows11" });
  const outputs = await runProgram(t, p, first, folderConfig(em));
  const [post] = callsOf(em, "collect");
  t.is(callsOf(em, "collect").length, 1, "one collection");
  t.is(post?.path.split("/")[3], device.id, "from the device named in the README");
  // /api/machineactions/{id}/GetPackageUri
  const actionId =
    em
      .calls()
      .find((c) => c.route === "getPackageUri")
      ?.path.split("/")[3] ?? "";
  t.regex(String(outputs.sha256), /^[0-9a-f]{64}$/);
  t.is(outputs.sha256, await em.packageSha256(actionId), "the package, downloaded whole");
  t.true(existsSync(path.join(p.dir, "evidence")), "evidence in ./evidence of the project");
});

test.serial("the README's device-targeting program runs as written against the emulator", async (t) => {
  const p = await consumerProject();
  const targeting = blocks.find((b) => b.file === "README.md" && b.code.includes("getMachines("));
  if (!targeting) return t.fail("README.md has no getMachines block");
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const vm = em.onboardDevice({ computerDnsName: "lab-vm-01.contoso.com", osPlatform: "Windows11" });
  const config = folderConfig(em);
  // getMachines runs in the program: it reads the same mde:* config as the provider.
  const outputs = await runProgram(t, p, targeting, config);
  const tagged = em.fleet.filter(
    (d) => d.machineTags.includes("incident-4711") && d.healthStatus === "Active",
  );
  t.true(tagged.length >= 2, "the fleet has tagged devices");
  const posted = callsOf(em, "collect").map((c) => c.path.split("/")[3]);
  t.deepEqual(posted.sort(), [...tagged.map((d) => d.id), vm.id].sort(), "each tagged device and the lab VM");
  t.is((outputs.actionIds as string[]).length, tagged.length + 1);
});

test.serial("the README's download program runs as written against the emulator", async (t) => {
  const p = await consumerProject();
  const download = blocks.find((b) => b.file === "README.md" && b.code.includes('require("machineId")'));
  if (!download) return t.fail("README.md has no download block reading machineId from config");
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  // `new pulumi.Config()` reads the project's namespace: the project is `ir`.
  const outputs = await runProgram(t, p, download, {
    ...folderConfig(em),
    "ir:machineId": { value: machineId ?? "" },
  });
  const actionId =
    em
      .calls()
      .find((c) => c.route === "getPackageUri")
      ?.path.split("/")[3] ?? "";
  t.is(outputs.sha256, await em.packageSha256(actionId));
  t.true(existsSync(path.join(p.dir, "evidence", "IR-4711")), "evidence in ./evidence/IR-4711");
});

test.serial("the emulator README's program runs as written", async (t) => {
  const p = await consumerProject();
  const fromCode = blocks.find(
    (b) => b.file === "packages/emulator/README.md" && b.code.includes("startEmulator("),
  );
  if (!fromCode) return t.fail("the emulator's README has no startEmulator block");
  const compiled = await compile(p, fromCode, 2000);
  t.is(compiled.code, 0, compiled.output);
  const ran = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      "node",
      [path.join(p.dir, "blocks", "2000", "bin", "index.js")],
      { cwd: p.dir, env: npmEnv(), timeout: 60_000 },
      (error, stdout, stderr) => {
        const raw = error ? (error as { code?: unknown }).code : 0;
        resolve({ code: typeof raw === "number" ? raw : -1, output: stdout + stderr });
      },
    );
  });
  t.is(ran.code, 0, ran.output);
});
