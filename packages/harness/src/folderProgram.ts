/**
 * Folder programs (a directory with a `Pulumi.yaml`) run with the real `pulumi` CLI, the way a user
 * runs them: `stack init`, `config set`, `up`, `preview`, `refresh`, `destroy`, `stack export`.
 *
 * Everything the CLI writes stays in a temp directory of its own: the `file://` backend, `PULUMI_HOME`
 * and the stack config file (`--config-file` on every command that reads config), so a test never
 * writes into the program folder (the repository root, `examples/`, a consumer project). Values reach
 * `config set` on stdin, never on the command line. Every command's stdout and stderr are kept, for
 * secret scans.
 *
 * Needs `pulumi-language-nodejs` next to the pinned `pulumi` (scripts/ensure-engine.sh), unlike the
 * Automation API's inline programs.
 */
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { ENGINE_BIN, engineEnv, type StateResource } from "./localStack";

/** One stack config value as `pulumi config set` takes it. */
export interface FolderConfigValue {
  value: string;
  /** `--secret`: stored encrypted. @default false */
  secret?: boolean;
  /** `--path`: the key is a property path, e.g. `runbook:devices[0]`. @default false */
  path?: boolean;
}

/** Stack config: key (namespaced, e.g. `mde:clientId`) to value. */
export type FolderConfig = Record<string, FolderConfigValue>;

/** Options of {@link createFolderProgram}. */
export interface FolderProgramOptions {
  /** The program folder: it holds `Pulumi.yaml`, and the CLI runs in it. */
  programDir: string;
  /** @default "test" */
  stackName?: string;
  /** Set with `pulumi config set` by {@link FolderProgram.init}. @default {} */
  config?: FolderConfig;
  /** Extra environment for the CLI, the language host and the provider. @default {} */
  env?: Record<string, string>;
  /** Parent of the temp directory. @default os.tmpdir() */
  tmpRoot?: string;
  /** Time limit of each CLI command, in ms. @default 300_000 */
  commandTimeoutInMs?: number;
  /** Keep the temp directory after {@link FolderProgram.dispose}. @default process.env.KEEP_ENGINE_TMP === "1" */
  keep?: boolean;
}

/** One CLI command and what it printed. */
export interface CliRun {
  args: string[];
  /** Exit code; -1 when killed (time limit). */
  code: number;
  stdout: string;
  stderr: string;
  durationInMs: number;
}

/** A CLI command that exited non-zero. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(readonly run: CliRun) {
    super(
      `pulumi ${run.args.join(" ")} exited ${run.code} after ${run.durationInMs} ms\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
    );
  }
}

/** Options of one command. */
export interface RunOptions {
  /** Written to the command's stdin (then closed). @default nothing */
  input?: string;
  /** Resolve with the run instead of throwing {@link CliError} on a non-zero exit. @default false */
  allowFailure?: boolean;
  /** @default the program folder */
  cwd?: string;
  /** @default the program's commandTimeoutInMs */
  timeoutInMs?: number;
}

/** Counts of the `Resources:` summary the CLI prints after an operation, e.g. `{ created: 1, unchanged: 1 }`. */
export type ResourceSummary = Record<string, number>;

/** A folder program with its own stack, backend and `PULUMI_HOME`. */
export interface FolderProgram {
  readonly programDir: string;
  readonly stackName: string;
  /** The temp directory holding backend, `PULUMI_HOME` and config file. */
  readonly tmpDir: string;
  readonly backendDir: string;
  readonly pulumiHome: string;
  /** `Pulumi.<stack>.yaml`, outside the program folder. */
  readonly configFile: string;
  /** Environment of every command. */
  readonly env: Record<string, string>;
  /** Runs `pulumi <args> --non-interactive --color never` in the program folder. */
  run(args: string[], opts?: RunOptions): Promise<CliRun>;
  /** `pulumi stack init` (passphrase secrets), then `config set` for each configured value. */
  init(): Promise<void>;
  /** `pulumi config set [--secret] [--path] <key>`, the value on stdin. */
  setConfig(key: string, value: FolderConfigValue): Promise<CliRun>;
  /** `pulumi up --yes --skip-preview`. */
  up(extraArgs?: string[], opts?: RunOptions): Promise<CliRun>;
  /** `pulumi preview`. */
  preview(extraArgs?: string[], opts?: RunOptions): Promise<CliRun>;
  /** `pulumi refresh --yes`. */
  refresh(extraArgs?: string[], opts?: RunOptions): Promise<CliRun>;
  /** `pulumi up --yes --skip-preview --expect-no-changes`: fails when the update changes anything. */
  upExpectingNoChanges(opts?: RunOptions): Promise<CliRun>;
  /** `pulumi destroy --yes --skip-preview`. */
  destroy(extraArgs?: string[], opts?: RunOptions): Promise<CliRun>;
  /** `pulumi stack output --json` (secret outputs print as `[secret]`). */
  outputs(): Promise<Record<string, unknown>>;
  /** `pulumi stack export` as stored (secrets as ciphertext, no `--show-secrets`): text and resources. */
  exportState(): Promise<{ text: string; resources: StateResource[] }>;
  /** Every file of the `file://` backend (checkpoints, backups, history), concatenated. */
  backendText(): string;
  /** The stack config file as written by `config set` (secrets as ciphertext). */
  configText(): string;
  /** Every command so far, in order. */
  runs(): readonly CliRun[];
  /** Everything every command printed, stdout and stderr, each behind its command line. */
  output(): string;
  /** Removes the temp directory (unless kept). */
  dispose(): Promise<void>;
}

/** The counts of the last `Resources:` summary in `text` (`+ 1 created`, `2 unchanged`, `- 1 deleted`). */
export function resourceSummary(text: string): ResourceSummary {
  const start = text.lastIndexOf("\nResources:");
  if (start < 0) return {};
  const summary: ResourceSummary = {};
  for (const line of text
    .slice(start + "\nResources:".length)
    .split("\n")
    .slice(1)) {
    const match = /^\s+(?:[-+~]+\s*)?(\d+) ([a-z-]+(?: [a-z-]+)*)\s*$/.exec(line);
    if (!match) break;
    summary[match[2]!] = (summary[match[2]!] ?? 0) + Number(match[1]);
  }
  return summary;
}

/** The process environment without PULUMI_* settings of the machine, so the test sees only its own. */
function hermeticEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("PULUMI_")) env[key] = value;
  }
  return env;
}

function readTree(dir: string, root: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return readTree(full, root);
    return entry.isFile() ? [`=== ${path.relative(root, full)}\n${readFileSync(full, "utf8")}`] : [];
  });
}

/** Prepares a folder program's stack directories; call {@link FolderProgram.init} to create the stack. */
export function createFolderProgram(opts: FolderProgramOptions): FolderProgram {
  const programDir = path.resolve(opts.programDir);
  if (!existsSync(path.join(programDir, "Pulumi.yaml"))) throw new Error(`No Pulumi.yaml in ${programDir}`);
  const stackName = opts.stackName ?? "test";
  const tmpDir = mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), "pulumi-mde-folder-"));
  const backendDir = path.join(tmpDir, "state");
  const pulumiHome = path.join(tmpDir, "home");
  const configFile = path.join(tmpDir, `Pulumi.${stackName}.yaml`);
  mkdirSync(backendDir, { recursive: true });
  mkdirSync(pulumiHome, { recursive: true });
  const env = { ...hermeticEnv(), ...engineEnv(backendDir, opts.env), PULUMI_HOME: pulumiHome };
  const timeoutInMs = opts.commandTimeoutInMs ?? 300_000;
  const keep = opts.keep ?? process.env.KEEP_ENGINE_TMP === "1";
  const history: CliRun[] = [];
  const stackArgs = ["--stack", stackName];
  const configArgs = [...stackArgs, "--config-file", configFile];

  const run = (args: string[], o: RunOptions = {}): Promise<CliRun> => {
    const fullArgs = [...args, "--non-interactive", "--color", "never"];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = execFile(
        path.join(ENGINE_BIN, "pulumi"),
        fullArgs,
        {
          cwd: o.cwd ?? programDir,
          env,
          maxBuffer: 256 * 1024 * 1024,
          timeout: o.timeoutInMs ?? timeoutInMs,
          killSignal: "SIGTERM",
        },
        (error, stdout, stderr) => {
          const rawCode = error ? (error as { code?: unknown }).code : 0;
          const code = typeof rawCode === "number" ? rawCode : -1;
          const result: CliRun = { args: fullArgs, code, stdout, stderr, durationInMs: Date.now() - started };
          history.push(result);
          if (code !== 0 && !o.allowFailure) reject(new CliError(result));
          else resolve(result);
        },
      );
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(o.input ?? "");
    });
  };

  const setConfig = (key: string, value: FolderConfigValue): Promise<CliRun> =>
    run(
      [
        "config",
        "set",
        key,
        ...(value.secret ? ["--secret"] : ["--plaintext"]),
        ...(value.path ? ["--path"] : []),
        ...configArgs,
      ],
      { input: value.value },
    );

  return {
    programDir,
    stackName,
    tmpDir,
    backendDir,
    pulumiHome,
    configFile,
    env,
    run,
    setConfig,
    async init() {
      // `stack init` writes the new stack's passphrase salt to Pulumi.<stack>.yaml next to the project
      // file, and takes no --config-file: run it on a copy of Pulumi.yaml (same project name, so the
      // same stack in the backend) and move the file it writes out of the way.
      const initDir = path.join(tmpDir, "init");
      mkdirSync(initDir, { recursive: true });
      copyFileSync(path.join(programDir, "Pulumi.yaml"), path.join(initDir, "Pulumi.yaml"));
      await run(["stack", "init", stackName, "--secrets-provider", "passphrase"], { cwd: initDir });
      const written = path.join(initDir, `Pulumi.${stackName}.yaml`);
      if (existsSync(written)) renameSync(written, configFile);
      for (const [key, value] of Object.entries(opts.config ?? {})) await setConfig(key, value);
    },
    up: (extra = [], o) => run(["up", "--yes", "--skip-preview", ...configArgs, ...extra], o),
    preview: (extra = [], o) => run(["preview", ...configArgs, ...extra], o),
    refresh: (extra = [], o) => run(["refresh", "--yes", ...configArgs, ...extra], o),
    upExpectingNoChanges: (o) =>
      run(["up", "--yes", "--skip-preview", "--expect-no-changes", ...configArgs], o),
    destroy: (extra = [], o) => run(["destroy", "--yes", "--skip-preview", ...configArgs, ...extra], o),
    async outputs() {
      const { stdout } = await run(["stack", "output", "--json", ...stackArgs]);
      return JSON.parse(stdout) as Record<string, unknown>;
    },
    async exportState() {
      const { stdout: text } = await run(["stack", "export", ...stackArgs]);
      const deployment = JSON.parse(text) as { deployment: { resources?: StateResource[] } };
      const resources = (deployment.deployment.resources ?? []).filter(
        (r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"),
      );
      return { text, resources };
    },
    backendText: () => readTree(backendDir, tmpDir).join("\n"),
    configText: () => (existsSync(configFile) ? readFileSync(configFile, "utf8") : ""),
    runs: () => history,
    output: () =>
      history
        .map((r) => `$ pulumi ${r.args.join(" ")} (exit ${r.code})\n${r.stdout}\n${r.stderr}`)
        .join("\n"),
    async dispose() {
      if (!keep) rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}
