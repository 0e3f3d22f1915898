/**
 * Local stacks on the real engine: each gets its own `file://` backend, stack and work directory,
 * and is driven through the Automation API. Used by the main job, the tests and the benchmark.
 *
 * No Pulumi Cloud, no update checks, no plugin downloads: the CLI comes from
 * `.engine/<version>/bin` (see scripts/ensure-engine.sh) and the dynamic-provider
 * launcher sits next to it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import {
  type ConfigMap,
  type DestroyResult,
  LocalWorkspace,
  type PreviewResult,
  PulumiCommand,
  type PulumiFn,
  type RefreshResult,
  type Stack,
  type UpResult,
} from "@pulumi/pulumi/automation";

const execFileAsync = promisify(execFile);

/** Repository root: the nearest folder above this file with `engine/VERSION` (tests run from dist/). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "engine", "VERSION"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No engine/VERSION above ${from}`);
  }
}

/** Passphrase of the local stacks' secrets provider: secrets in state are ciphertext. */
export const TEST_PASSPHRASE = "pulumi-mde-local-passphrase";

const engineVersion = readFileSync(path.join(REPO_ROOT, "engine", "VERSION"), "utf8").trim();

/** Folder holding the pinned `pulumi` binary and the dynamic-provider launcher. */
export const ENGINE_BIN = path.join(REPO_ROOT, ".engine", engineVersion, "bin");

/**
 * Environment for the CLI and the plugins it starts. `node_modules/.bin` first so
 * the dynamic provider runs on the project's Node 24, whatever the machine has.
 */
export function engineEnv(backendDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [ENGINE_BIN, path.join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH ?? ""].join(
      path.delimiter,
    ),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    ...extra,
  };
}

/** Options of {@link createTestStack}. */
export interface TestStackOptions {
  /** Parent folder of the work directory, under the repository. @default ".tmp/engine" */
  baseDir?: string;
  /** The inline Pulumi program. */
  program: PulumiFn;
  /** Stack config (e.g. `{"mde:clientSecret": {value, secret: true}}`). @default {} */
  config?: ConfigMap;
  /** Extra environment for the CLI and the provider process. @default {} */
  env?: Record<string, string>;
  /** Project name. @default "mde-test" */
  projectName?: string;
  /** Keep the work directory after the test (for debugging). @default process.env.KEEP_ENGINE_TMP === "1" */
  keep?: boolean;
}

/** A stack under test, with the output of every operation captured. */
export interface TestStack {
  readonly stack: Stack;
  /** Work directory (inside the repo so the provider process resolves `node_modules`). */
  readonly workDir: string;
  /** Everything the engine printed so far, every operation appended. */
  output(): string;
  up(opts?: OperationOptions & { parallel?: number }): Promise<UpResult>;
  preview(opts?: OperationOptions): Promise<PreviewResult>;
  refresh(opts?: OperationOptions): Promise<RefreshResult>;
  destroy(): Promise<DestroyResult>;
  /** The deployment as stored (`pulumi stack export`, secrets as ciphertext): JSON text and resources. */
  exportState(): Promise<{ text: string; resources: StateResource[] }>;
  /** Remove the stack and its work directory. */
  dispose(): Promise<void>;
}

/** Options common to every operation. */
export interface OperationOptions {
  /** Engine log verbosity; with it the engine's logs go to stderr, which is captured too. */
  logVerbosity?: number;
}

/** The parts of an exported resource the tests look at. */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
  pendingReplacement?: boolean;
  [key: string]: unknown;
}

let cachedCommand: Promise<PulumiCommand> | undefined;

/** The pinned CLI; fails with the fix when scripts/ensure-engine.sh has not run. */
export function pulumiCommand(): Promise<PulumiCommand> {
  cachedCommand ??= PulumiCommand.get({ root: path.dirname(ENGINE_BIN) }).catch((err: unknown) => {
    throw new Error(`The pinned pulumi CLI is not ready: run \`npm run engine\`. Cause: ${String(err)}`);
  });
  return cachedCommand;
}

/** Creates a fresh backend, work directory and stack for one test. */
export async function createTestStack(opts: TestStackOptions): Promise<TestStack> {
  const id = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  const workDir = path.join(REPO_ROOT, opts.baseDir ?? path.join(".tmp", "engine"), id);
  const backendDir = path.join(workDir, "state");
  mkdirSync(backendDir, { recursive: true });
  const projectName = opts.projectName ?? "mde-test";
  const envVars = engineEnv(backendDir, opts.env);
  const stack = await LocalWorkspace.createStack(
    { stackName: "test", projectName, program: opts.program },
    {
      workDir,
      pulumiHome: path.join(workDir, "home"),
      pulumiCommand: await pulumiCommand(),
      envVars,
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
      secretsProvider: "passphrase",
    },
  );
  if (opts.config) await stack.setAllConfig(opts.config);

  let captured = "";
  const onOutput = (s: string) => {
    captured += s;
  };
  // stderr (engine logs, provider diagnostics) is only in the result, or in the error on failure.
  const capture = async <R extends { stderr: string }>(op: Promise<R>): Promise<R> => {
    try {
      const result = await op;
      captured += result.stderr;
      return result;
    } catch (error) {
      captured += String((error as { stderr?: string }).stderr ?? "");
      captured += String((error as Error).message ?? "");
      throw error;
    }
  };
  const logging = (o: OperationOptions) =>
    o.logVerbosity === undefined ? {} : { logToStdErr: true, logFlow: true, debug: true };
  const keep = opts.keep ?? process.env.KEEP_ENGINE_TMP === "1";
  return {
    stack,
    workDir,
    output: () => captured,
    up: (o = {}) => capture(stack.up({ onOutput, color: "never", ...logging(o), ...o })),
    preview: (o = {}) => capture(stack.preview({ onOutput, color: "never", ...logging(o), ...o })),
    refresh: (o = {}) => capture(stack.refresh({ onOutput, color: "never", ...logging(o), ...o })),
    destroy: () => capture(stack.destroy({ onOutput, color: "never" })),
    async exportState() {
      // Not `stack.exportStack()`: the Automation API exports with --show-secrets, which decrypts
      // every secret. This is the state as stored, secrets as ciphertext.
      const { stdout: text } = await execFileAsync(
        path.join(ENGINE_BIN, "pulumi"),
        ["stack", "export", "--stack", "test", "--non-interactive"],
        { cwd: workDir, env: { ...process.env, ...envVars }, maxBuffer: 512 * 1024 * 1024 },
      );
      const deployment = JSON.parse(text) as { deployment: { resources?: StateResource[] } };
      const resources = (deployment.deployment.resources ?? []).filter(
        (r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"),
      );
      return { text, resources };
    },
    async dispose() {
      if (!keep) rmSync(workDir, { recursive: true, force: true });
    },
  };
}
