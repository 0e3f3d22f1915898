/**
 * The library as its users get it: packed with `npm pack`, or installed from git, into a project of
 * their own outside the repository, with the `@pulumi/pulumi` version they choose.
 *
 * npm runs on the repository's Node (node_modules/.bin first on PATH), as the CLI and the dynamic
 * provider do: the library needs Node >= 22.19.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./localStack";

/** One npm command and what it printed. */
export interface NpmRun {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  durationInMs: number;
}

/** Environment for npm: the repository's Node 24 first on PATH, no update notice, no funding noise. */
export function npmEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm_* variables of an enclosing `npm test` would steer this npm (prefix, workspace, config).
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    PATH: [path.join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter),
    NO_UPDATE_NOTIFIER: "1",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    ...extra,
  };
}

/** Runs `npm <args>` in `cwd`; throws with its output on a non-zero exit unless `allowFailure`. */
export function npm(
  args: string[],
  cwd: string,
  opts: { allowFailure?: boolean; timeoutInMs?: number; env?: Record<string, string> } = {},
): Promise<NpmRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile(
      "npm",
      args,
      {
        cwd,
        env: npmEnv(opts.env),
        maxBuffer: 256 * 1024 * 1024,
        timeout: opts.timeoutInMs ?? 300_000,
      },
      (error, stdout, stderr) => {
        const rawCode = error ? (error as { code?: unknown }).code : 0;
        const code = typeof rawCode === "number" ? rawCode : -1;
        const result = { args, code, stdout, stderr, durationInMs: Date.now() - started };
        if (code !== 0 && !opts.allowFailure) {
          reject(
            new Error(
              `npm ${args.join(" ")} exited ${code} in ${cwd}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
            ),
          );
        } else resolve(result);
      },
    );
    child.stdin?.end();
  });
}

/** What `npm pack` produced. */
export interface PackedLibrary {
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** Packed size in bytes. */
  size: number;
  /** Unpacked size in bytes. */
  unpackedSize: number;
  /** Paths inside the package. */
  files: string[];
}

/**
 * `npm pack` of the library at the repository root into `destDir`, from the build already in
 * `dist/` (`--ignore-scripts`: the test run built it; `prepare` would rebuild it).
 */
export function packLibrary(destDir: string): Promise<PackedLibrary> {
  return packFolder(REPO_ROOT, destDir);
}

/** `npm pack` of the emulator (`pulumi-mde-emulator`, packages/emulator) into `destDir`, from its build in dist/. */
export function packEmulator(destDir: string): Promise<PackedLibrary> {
  return packFolder(path.join(REPO_ROOT, "packages", "emulator"), destDir);
}

async function packFolder(packageDir: string, destDir: string): Promise<PackedLibrary> {
  mkdirSync(destDir, { recursive: true });
  const { stdout } = await npm(
    ["pack", "--json", "--ignore-scripts", "--pack-destination", destDir],
    packageDir,
  );
  const [entry] = JSON.parse(stdout) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>;
  if (!entry) throw new Error(`npm pack printed no entry: ${stdout}`);
  return {
    tarball: path.join(destDir, entry.filename),
    size: entry.size,
    unpackedSize: entry.unpackedSize,
    files: entry.files.map((f) => f.path),
  };
}

/** A fresh directory under the OS temp dir, outside the repository. */
export function consumerDir(prefix = "pulumi-mde-consumer-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!path.relative(REPO_ROOT, dir).startsWith("..")) throw new Error(`${dir} is inside the repository`);
  return dir;
}

/** Writes `files` (relative path to content) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** Every installed copy of `pkg` in the project at `dir`: its path and version (`npm ls --all --json --long`). */
export async function installedCopies(
  dir: string,
  pkg: string,
): Promise<Array<{ path: string; version: string }>> {
  const { stdout } = await npm(["ls", pkg, "--all", "--json", "--long"], dir, { allowFailure: true });
  interface Node {
    name?: string;
    version?: string;
    path?: string;
    dependencies?: Record<string, Node>;
  }
  const copies = new Map<string, string>();
  const walk = (name: string | undefined, node: Node) => {
    if (name === pkg && node.path) copies.set(node.path, node.version ?? "?");
    for (const [child, sub] of Object.entries(node.dependencies ?? {})) walk(child, sub);
  };
  walk(undefined, JSON.parse(stdout) as Node);
  return [...copies].map(([p, version]) => ({ path: p, version }));
}

/** Size of a directory tree in bytes (regular files; symlinks not followed). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** What a project's install weighs: packages (`npm ls --all --parseable`) and megabytes (`du -sm node_modules`). */
export async function installFootprint(dir: string): Promise<{ packages: number; megabytes: number }> {
  const { stdout } = await npm(["ls", "--all", "--parseable"], dir, { allowFailure: true });
  const paths = new Set(stdout.split("\n").filter((line) => line.trim() !== ""));
  paths.delete(dir);
  const du = await new Promise<string>((resolve) =>
    execFile("du", ["-sm", path.join(dir, "node_modules")], (_e, out) => resolve(String(out))),
  );
  const megabytes =
    Number(du.split(/\s/)[0]) || Math.round(treeBytes(path.join(dir, "node_modules")) / 2 ** 20);
  return { packages: paths.size, megabytes };
}
