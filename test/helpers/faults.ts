/**
 * Helpers for the fault, bad-input, secrets and interruption engine tests: reading the stack's
 * backend as stored (secrets as ciphertext), scanning text for secrets without printing them,
 * talking to the emulator's API directly (to set up a device that is already collecting), and
 * finding the processes of a running `pulumi` command (to kill it mid-deployment).
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as pulumi from "@pulumi/pulumi";
import type { RefreshResult, UpResult } from "@pulumi/pulumi/automation";
import type { ExecutionContext } from "ava";
import type { CallRecord, Emulator } from "pulumi-mde-emulator";
import { ENGINE_BIN, type TestStack } from "pulumi-mde-harness";
import { Agent, request } from "undici";

/**
 * Every file of the stack's `file://` backend (checkpoint, backups, history), concatenated.
 * Unlike `exportState()` (which runs `pulumi stack export --show-secrets`), this is what an
 * attacker with the state bucket would see: secrets must be ciphertext here.
 */
export function backendText(s: TestStack): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  walk(path.join(s.workDir, "state"));
  return files.map((f) => `=== ${path.relative(s.workDir, f)}\n${readFileSync(f, "utf8")}`).join("\n");
}

/**
 * Marks the outputs of a resource that may fail as handled. With `continueOnError`, the engine
 * reports a failed resource to an inline program by rejecting every output; nothing awaits them in a
 * test program, and ava would count each as an unhandled rejection of the test process.
 */
export function expectFailure<R extends pulumi.Resource>(resource: R): R {
  const noop = () => undefined;
  for (const value of Object.values(resource)) {
    if (pulumi.Output.isInstance(value)) {
      const output = value as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean> };
      output.isKnown.catch(noop);
      output.isSecret.catch(noop);
    }
  }
  return resource;
}

/**
 * `pulumi up --continue-on-error`: every resource is attempted even after one fails, so one run
 * shows the outcome of each. `TestStack.up` passes its options through to the Automation API.
 */
export function upContinuing(s: TestStack): Promise<UpResult> {
  return s.up({ continueOnError: true } as Parameters<TestStack["up"]>[0]);
}

/** `pulumi refresh --clear-pending-creates`: drops the creates an interrupted run left pending. */
export function refreshClearingPendingCreates(s: TestStack): Promise<RefreshResult> {
  return s.refresh({ clearPendingCreates: true } as Parameters<TestStack["refresh"]>[0]);
}

/** An operation the engine recorded as started but never saw finish (an interrupted run). */
export interface PendingOperation {
  type: string;
  resource: { urn: string; inputs?: Record<string, unknown> };
}

/** The pending operations of the stack's checkpoint. */
export async function pendingOperations(s: TestStack): Promise<PendingOperation[]> {
  const { text } = await s.exportState();
  const deployment = (JSON.parse(text) as { deployment: { pending_operations?: PendingOperation[] } })
    .deployment;
  return deployment.pending_operations ?? [];
}

/**
 * Runs the pinned CLI on the test stack with arguments the Automation API does not offer (e.g.
 * `refresh --import-pending-creates`). Resolves with the output whatever the exit code.
 */
export function pulumiCli(s: TestStack, args: string[]): Promise<{ code: number; output: string }> {
  const workspace = s.stack.workspace;
  const env = {
    ...process.env,
    ...workspace.envVars,
    ...(workspace.pulumiHome ? { PULUMI_HOME: workspace.pulumiHome } : {}),
  };
  return new Promise((resolve) => {
    execFile(
      path.join(ENGINE_BIN, "pulumi"),
      [...args, "--stack", "test", "--non-interactive", "--color", "never"],
      { cwd: s.workDir, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code: Number.isNaN(code) ? 1 : code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Everything an error thrown by an Automation API operation says: message, stdout, stderr. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { stdout?: unknown; stderr?: unknown };
  return [e.message, String(e.stdout ?? ""), String(e.stderr ?? "")].join("\n");
}

/** Runs `op`, which must fail, and returns the error's full text (the test fails if it succeeds). */
export async function failureOf(t: ExecutionContext, op: Promise<unknown>): Promise<string> {
  const error = await t.throwsAsync(op);
  return errorText(error);
}

/**
 * The pieces of a secret worth scanning for: the whole value and, for a JWT, its signature (a
 * truncated token still leaks it); for a PEM, each base64 line of its body (a key printed without
 * its armour is still a key).
 */
export function secretPieces(secret: string): string[] {
  const pieces = new Set<string>([secret.trim()]);
  const parts = secret.split(".");
  if (parts.length === 3 && parts[2] && parts[2].length >= 16) pieces.add(parts[2]);
  if (secret.includes("-----BEGIN")) {
    for (const line of secret.split(/\r?\n/)) {
      if (line.length >= 40 && !line.startsWith("-----")) pieces.add(line.trim());
    }
  }
  return [...pieces].filter((p) => p.length >= 8);
}

/**
 * Where any named secret appears in any named text: `["client secret in backend state", ...]`.
 * Names only, never the secret itself, so a failing assertion does not leak it into test logs.
 */
export function secretHits(texts: Record<string, string>, secrets: Record<string, string[]>): string[] {
  const hits: string[] = [];
  for (const [secretName, values] of Object.entries(secrets)) {
    const pieces = values.flatMap(secretPieces);
    for (const [textName, text] of Object.entries(texts)) {
      if (pieces.some((p) => text.includes(p))) hits.push(`${secretName} in ${textName}`);
    }
  }
  return hits;
}

/** Asserts that no secret appears in any text, naming every place one does. */
export function assertNoSecrets(
  t: ExecutionContext,
  texts: Record<string, string>,
  secrets: Record<string, string[]>,
): void {
  const hits = secretHits(texts, secrets);
  t.deepEqual(hits, [], `secrets leaked: ${hits.join(", ")}`);
}

/**
 * The one place where the pinned engine (3.259) itself prints secrets: at log verbosity 9 its RPC
 * marshalling log writes each property of a provider's Configure inputs, and descends into secret
 * envelopes (`{"4dabf18...": ..., "value": <plaintext>}`). Every secret stack config value reaches
 * the provider that way, for every provider. Lines matching this are the engine's, not ours.
 */
export const ENGINE_CONFIGURE_MARSHAL_LOG =
  /"msg":"Marshaling property for RPC\[Provider\[[^\]]*\]\.Configure\(\)\.inputs\]: value=\{/;

/** Any JWT (access token or client assertion): none may be printed or stored, whoever minted it. */
export const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/;

/** Lines of `text` holding any of `values` (whole), with each value replaced by `<secret>`. */
export function linesWithSecrets(text: string, values: string[]): string[] {
  const wanted = values.filter((v) => v.length >= 8);
  return text
    .split("\n")
    .filter((line) => wanted.some((v) => line.includes(v)))
    .map((line) => wanted.reduce((l, v) => l.split(v).join("<secret>"), line));
}

/** The secrets every test against the emulator's default app must keep: its client secret and every token issued. */
export function emulatorSecrets(
  em: Emulator,
  extra: Record<string, string[]> = {},
): Record<string, string[]> {
  return {
    "client secret": [em.defaultApp.clientSecret],
    "bearer token": em.issuedTokens(),
    ...extra,
  };
}

/** Calls to the emulated services (token endpoint and API), without the admin calls tests make. */
export function serviceCalls(em: Emulator): CallRecord[] {
  return em.calls().filter((c) => c.route !== "admin");
}

/** The ID of the default fleet's device named `name` (e.g. `kiosk-0016`, offline). */
export function deviceNamed(em: Emulator, name: string): string {
  const device = em.fleet.find((d) => d.computerDnsName.split(".")[0] === name);
  if (!device) throw new Error(`the fleet has no device named ${name}`);
  return device.id;
}

const agents = new WeakMap<Emulator, Agent>();

/**
 * A call to the emulator's API as another client of the tenant would make it (a token minted by the
 * emulator, its CA trusted). Used to set the scene, e.g. a collection already running on a device.
 */
export async function emulatorApi<T>(
  em: Emulator,
  method: "GET" | "POST",
  apiPath: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  let agent = agents.get(em);
  if (!agent) {
    agent = new Agent({ connect: { ca: em.caPem } });
    agents.set(em, agent);
  }
  const response = await request(`${em.url}${apiPath}`, {
    dispatcher: agent,
    method,
    headers: {
      authorization: `Bearer ${em.issueToken()}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The subset of a MachineAction the tests read. */
export interface ActionView {
  id: string;
  status: string;
  machineId: string;
  requestorComment?: string;
  requestor?: string;
}

/** Starts a collection on a device outside Pulumi (an analyst in the portal, another pipeline). */
export async function startCollectionElsewhere(
  em: Emulator,
  machineId: string,
  comment: string,
): Promise<ActionView> {
  const { status, body } = await emulatorApi<ActionView>(
    em,
    "POST",
    `/api/machines/${machineId}/collectInvestigationPackage`,
    { Comment: comment },
  );
  if (status !== 201) throw new Error(`setting the scene failed: collect answered ${status}`);
  return body;
}

/** Every investigation-package action the emulator holds for a device. */
export async function collectionsOn(em: Emulator, machineId: string): Promise<ActionView[]> {
  const filter = `machineId eq '${machineId}' and type eq 'CollectInvestigationPackage'`;
  const { status, body } = await emulatorApi<{ value: ActionView[] }>(
    em,
    "GET",
    `/api/machineactions?$filter=${encodeURIComponent(filter)}`,
  );
  if (status !== 200) throw new Error(`listing actions failed: ${status}`);
  return body.value;
}

/** Closes the HTTP agent {@link emulatorApi} keeps for `em`. */
export async function closeEmulatorApi(em: Emulator): Promise<void> {
  await agents.get(em)?.close();
  agents.delete(em);
}

/** A process of this machine, from `/proc`. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Command line, arguments joined by spaces. */
  cmdline: string;
}

/** Every process visible in `/proc` (Linux). */
export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name is in parentheses and may contain spaces: the fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim();
      out.push({ pid: Number(name), ppid: Number(fields[1]), cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** `root` and every process below it. */
export function processTree(root: number, all: ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const tree: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const p of all) {
      if (p.ppid === pid) {
        tree.push(p);
        queue.push(p.pid);
      }
    }
  }
  return tree;
}

/** Whether a process is still alive (and not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
  } catch {
    return false;
  }
}

/** Whether `file` exists and is a regular file. */
export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The `pulumi <command>` process this test process started (the Automation API spawns the CLI as
 * our child), with every process below it, e.g. the dynamic provider.
 */
export function pulumiProcess(
  s: TestStack,
  command: string,
): { cli: ProcessInfo; tree: ProcessInfo[] } | undefined {
  const all = listProcesses();
  const cli = all.find(
    (p) =>
      p.ppid === process.pid &&
      p.cmdline.startsWith(path.join(ENGINE_BIN, "pulumi")) &&
      p.cmdline.includes(` ${command} `) &&
      // Tests of a file run concurrently in one process: the stack's work directory tells them apart.
      cwdOf(p.pid) === s.workDir,
  );
  return cli ? { cli, tree: processTree(cli.pid, all) } : undefined;
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Polls `condition` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until none of `pids` is alive; false when some still are after `timeoutMs`. */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Sends SIGKILL to each of `pids` still alive (cleanup of processes a test started). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}
