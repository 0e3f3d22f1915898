/**
 * The READMEs' install commands work on a fresh machine, with nothing on a registry but
 * `@pulumi/pulumi` and TypeScript: the library from a git tag (npm builds it with `prepare`) or from
 * the release tarball, and the emulator from its release tarball, run with `npx mde-emulator`. The
 * GitHub URLs are replaced by what the release would serve: this repository's HEAD commit through
 * `git+file://`, and the tarballs `npm pack` makes (the release workflow packs the same way), whose
 * file names must be the ones the READMEs name. Then the emulator stops with its launcher: Ctrl-C
 * (SIGINT to the terminal's process group), SIGINT to the bin, SIGTERM or SIGKILL to npm.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import test, { type ExecutionContext } from "ava";
import {
  consumerDir,
  npm,
  npmEnv,
  type PackedLibrary,
  packEmulator,
  packLibrary,
  REPO_ROOT,
  writeFiles,
} from "pulumi-mde-harness";
import { codeBlocks } from "../helpers/readmeBlocks";

const execFileAsync = promisify(execFile);
const keep = process.env.KEEP_ENGINE_TMP === "1";
const VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;
const RELEASES = "https://github.com/<org>/pulumi-mde/releases/download/";
const GIT_URL = "git+https://github.com/<org>/pulumi-mde.git#";

/** The `npm install` lines of a README's shell blocks that name the GitHub repository. */
function installLines(readme: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, readme), "utf8");
  return codeBlocks(text, readme)
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.code.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("npm install ") && line.includes("github.com/<org>/pulumi-mde"));
}

let packs: Promise<{ dir: string; library: PackedLibrary; emulator: PackedLibrary }> | undefined;
function packed() {
  packs ??= (async () => {
    const dir = consumerDir("pulumi-mde-release-");
    return { dir, library: await packLibrary(dir), emulator: await packEmulator(dir) };
  })();
  return packs;
}
test.after.always(async () => {
  if (packs && !keep) rmSync((await packs).dir, { recursive: true, force: true });
});

/** A fresh project; `line` run in it with the release URLs replaced by local equivalents. */
async function install(t: ExecutionContext, line: string, replacements: Record<string, string>) {
  const dir = consumerDir();
  t.teardown(() => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });
  writeFiles(dir, {
    "package.json": `${JSON.stringify({ name: "ir", version: "1.0.0", private: true }, null, 2)}\n`,
  });
  const args = line
    .replace(/^npm install /, "")
    .split(/\s+/)
    .map((arg) => replacements[arg] ?? arg);
  t.false(
    args.some((a) => a.includes("<org>")),
    `every release URL of "${line}" has a local stand-in`,
  );
  await npm(["install", ...args], dir, { timeoutInMs: 300_000 });
  return dir;
}

async function loads(dir: string): Promise<string> {
  const { stdout } = await execFileAsync(
    "node",
    ["-e", 'const m = require("pulumi-mde"); console.log(typeof m.InvestigationPackageCollection)'],
    { cwd: dir, env: npmEnv() },
  );
  return stdout.trim();
}

test("README.md's install lines name this version's tag and tarballs", (t) => {
  const lines = installLines("README.md");
  t.true(
    lines.some((l) => l.includes(`${GIT_URL}v${VERSION} `)),
    `a git install of v${VERSION}`,
  );
  t.true(lines.some((l) => l.includes(`${RELEASES}v${VERSION}/pulumi-mde-${VERSION}.tgz`)));
  t.true(lines.some((l) => l.includes(`${RELEASES}v${VERSION}/pulumi-mde-emulator-${VERSION}.tgz`)));
  t.deepEqual(
    installLines("packages/emulator/README.md"),
    [`npm install ${RELEASES}v${VERSION}/pulumi-mde-emulator-${VERSION}.tgz`],
    "the emulator's README installs the same tarball",
  );
});

test("the README's git install works from a commit (built by prepare)", async (t) => {
  const line = installLines("README.md").find((l) => l.includes(GIT_URL));
  if (!line) return t.fail("no git install line");
  const { stdout } = await execFileAsync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT });
  const dir = await install(t, line, {
    [`${GIT_URL}v${VERSION}`]: `git+file://${REPO_ROOT}#${stdout.trim()}`,
  });
  t.is(await loads(dir), "function");
});

test("the README's release-tarball install works", async (t) => {
  const { library } = await packed();
  const url = `${RELEASES}v${VERSION}/${path.basename(library.tarball)}`;
  const line = installLines("README.md").find((l) => l.includes(url));
  if (!line)
    return t.fail(
      `README.md installs no ${url}: npm pack names the tarball ${path.basename(library.tarball)}`,
    );
  const dir = await install(t, line, { [url]: library.tarball });
  t.is(await loads(dir), "function");
});

/** Every process whose command line names `dir`: the emulator and its launchers. */
async function processesIn(dir: string): Promise<string[]> {
  const { stdout } = await execFileAsync("ps", ["-eo", "pid=,stat=,args="]);
  return stdout
    .split("\n")
    .filter((l) => l.includes(dir) || l.includes("mde-emulator"))
    .filter((l) => l.includes(dir) || / npm exec mde-emulator| sh -c .?mde-emulator/.test(` ${l}`))
    .filter((l) => !/^\s*\d+\s+Z/.test(l));
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

/** Starts `command` in `dir` in a process group of its own (as a terminal runs it) and waits for its banner. */
async function startEmulator(dir: string, command: string[]): Promise<Running> {
  const child = spawn(command[0] ?? "npx", command.slice(1), {
    cwd: dir,
    env: npmEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  for (const until = Date.now() + 60_000; !out.includes("Requests:") && Date.now() < until; )
    await new Promise((r) => setTimeout(r, 100));
  if (!out.includes("Requests:")) throw new Error(`no banner from ${command.join(" ")}:\n${out}`);
  return { child, output: () => out, exited };
}

/** Waits up to `ms` for no process of `dir` to be left; returns what is left. */
async function leftAfter(dir: string, ms: number): Promise<string[]> {
  let left = await processesIn(dir);
  for (const until = Date.now() + ms; left.length > 0 && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 200));
    left = await processesIn(dir);
  }
  return left;
}

test.serial(
  "the emulator installs from its release tarball, runs with npx, and stops with its launcher",
  async (t) => {
    const { emulator } = await packed();
    const url = `${RELEASES}v${VERSION}/${path.basename(emulator.tarball)}`;
    const line = installLines("packages/emulator/README.md").find((l) => l.includes(url));
    if (!line) return t.fail(`the emulator's README installs no ${url}`);
    const dir = await install(t, line, { [url]: emulator.tarball });
    t.true(existsSync(path.join(dir, "node_modules", ".bin", "mde-emulator")));
    const stray: number[] = [];
    t.teardown(() => {
      for (const pid of stray)
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
    });

    const cases: Array<{ name: string; command: string[]; stop: (r: Running) => void }> = [
      // Ctrl-C: the terminal signals its foreground process group, npm, its shell and the emulator.
      {
        name: "Ctrl-C",
        command: ["npx", "mde-emulator"],
        stop: (r) => process.kill(-(r.child.pid ?? 0), "SIGINT"),
      },
      {
        name: "SIGINT to the bin",
        command: [path.join(dir, "node_modules", ".bin", "mde-emulator")],
        stop: (r) => r.child.kill("SIGINT"),
      },
      // npm forwards SIGTERM to its shell only, which dies of it and would leave the emulator under init.
      { name: "SIGTERM to npm", command: ["npx", "mde-emulator"], stop: (r) => r.child.kill("SIGTERM") },
      // A killed npm (a process manager's last resort) forwards nothing.
      { name: "SIGKILL to npm", command: ["npx", "mde-emulator"], stop: (r) => r.child.kill("SIGKILL") },
    ];
    for (const c of cases) {
      const running = await startEmulator(dir, c.command);
      stray.push(running.child.pid ?? 0);
      const readmeFleet = /built-in (\d+) devices/.exec(
        readFileSync(path.join(REPO_ROOT, "packages", "emulator", "README.md"), "utf8"),
      )?.[1];
      t.is(
        /Fleet: (\d+) devices/.exec(running.output())?.[1],
        readmeFleet,
        "the fleet size the README states",
      );
      t.true((await processesIn(dir)).length > 0, `${c.name}: the emulator runs`);
      c.stop(running);
      await running.exited;
      t.deepEqual(await leftAfter(dir, 10_000), [], `${c.name}: no process left`);
    }
  },
);
