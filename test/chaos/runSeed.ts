/**
 * Runs one chaos seed through the real engine against a time-scaled emulator: a small fleet of
 * collections, phases of per-request faults on the collect POST, the status reads, the look-ups and
 * the token endpoint, SIGKILLs of `pulumi up` mid-run followed by what a user does (`pulumi cancel`
 * when locked, then `up` again), and sometimes a deliberate re-collection. After each phase the
 * invariants of `invariants.ts` are checked; at the end, one more `up` must post nothing.
 *
 * The program is a folder program run by the CLI (`pulumi up` in a folder with `Pulumi.yaml`), as
 * users run it: every run gets a fresh program process. An inline Automation API program runs inside
 * this process instead, and the SDK's process-wide runtime state outlives a killed engine: in a long
 * run, a later `up` of the same process lost its connection to the engine ("14 UNAVAILABLE: No
 * connection established"), which the SDK treats as a normal end of the program, so the engine saw
 * fewer resources and deleted the rest from state.
 */

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Emulator } from "pulumi-mde-emulator";
import {
  callsOf,
  createFolderProgram,
  type FolderProgram,
  type FolderProgramOptions,
  healthyFleet,
  healthyTemplate,
  REPO_ROOT,
  startTestEmulator,
} from "pulumi-mde-harness";
import { Agent, request } from "undici";
import { actionMarker, markedComment } from "../../src/resources/shared/actionMarker";
import { closeEmulatorApi, collectionsOn, serviceCalls } from "../helpers/faults";
import { cliProcess, isLocked, killedWhen } from "../helpers/kill";
import { checkInvariants, type ExpectedCollection, type HeldResource, type Violations } from "./invariants";
import { describePlan, drawPlan, type KillPlan, MAX_LATENCY_MS, type PhasePlan, type SeedPlan } from "./plan";

/** Emulated seconds per real second: a collection's whole lifecycle takes 0.15 s. */
export const CHAOS_TIME_SCALE = 600;
const LIFECYCLE = { pendingSeconds: 30, inProgressSeconds: 60 };
const DAY = 86_400;
/** `up`s with faults cleared before a phase counts as not converging. */
const CONVERGE_RUNS = 4;
/** The harness's project and stack: part of every marker. */
const PULUMI_STACK = "mde-test/test";

/** What one seed came to. */
export interface SeedReport {
  seed: number;
  plan: string;
  /** Phases run (fault schedules). */
  schedules: number;
  faultsScheduled: number;
  /** Scheduled faults that requests actually met. */
  faultsInjected: number;
  killsPlanned: number;
  /** SIGKILLs sent (a planned kill is missed when the run ended first). */
  kills: number;
  ups: number;
  duplicates: number;
  orphans: number;
  skippedRecollections: number;
  lost: number;
  foreign: number;
  /** Collect calls recorded after a kill, with no grace window (none expected: each is a failure). */
  postsAfterKill: number;
  /** Of those, the ones recorded within this process's event-loop lag after the kill (for diagnosis only). */
  postsNearKill: number;
  /** Failures: invariants broken, no convergence, a provider outliving its engine, a final POST. */
  failures: string[];
  /** What happened, step by step, with the collect calls of each run. */
  log: string[];
  ms: number;
}

interface Context {
  plan: SeedPlan;
  em: Emulator;
  fp: FolderProgram;
  ids: string[];
  generation: number[];
  report: SeedReport;
  started: number;
  log(line: string): void;
}

/** The comment the provider sends for collection `i` at generation `g`. */
function expectedComment(ctx: Context, i: number, g: number): string {
  const c = ctx.plan.collections[i]!;
  const machineId = ctx.ids[i]!;
  return markedComment(
    c.comment,
    actionMarker({
      stack: PULUMI_STACK,
      name: c.name,
      machineId,
      comment: c.comment,
      triggers: [`generation-${g}`],
    }),
  );
}

const deviceOf = (path: string) => /\/machines\/([0-9a-f]+)\//i.exec(path)?.[1]?.slice(0, 8) ?? "?";

/** The collect calls from `from` on, as `device:status@ms`. */
function postsSince(ctx: Context, from: number): string {
  return callsOf(ctx.em, "collect")
    .slice(from)
    .map((c) => `${deviceOf(c.path)}:${c.status}@${c.startMs - ctx.started}`)
    .join(" ");
}

/** The lines of a failure worth keeping: the engine's error lines. */
function gist(failure: string): string {
  if (/killed with SIGKILL/.test(failure)) return "killed (SIGKILL)";
  const lines = failure
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /error:|failed|killed|locked/i.test(l) && !/^at /.test(l));
  return [...new Set(lines)].slice(0, 6).join(" | ").slice(0, 1200);
}

/** `pulumi up`: "" on success, else what it printed. */
async function upText(ctx: Context): Promise<string> {
  const run = await ctx.fp.up([], { allowFailure: true });
  if (run.code === 0) return "";
  return run.code === -1 ? "killed with SIGKILL (or timed out)" : `${run.stdout}\n${run.stderr}`;
}

async function plainUp(ctx: Context): Promise<string> {
  ctx.report.ups++;
  return upText(ctx);
}

/** `pulumi cancel`: releases the lock a dead run left. */
async function cancel(ctx: Context): Promise<void> {
  await ctx.fp.run(["cancel", "--yes", "--stack", ctx.fp.stackName]);
  ctx.log("  locked: pulumi cancel");
}

/** After a kill: the user's next `up` meets the dead run's lock and runs `pulumi cancel`. */
async function releaseLock(ctx: Context): Promise<void> {
  const failure = await plainUp(ctx);
  if (isLocked(failure)) {
    await cancel(ctx);
  } else {
    ctx.log(`  expected the dead run's lock, the up ${failure ? `failed: ${gist(failure)}` : "succeeded"}`);
  }
}

async function killedUp(ctx: Context, kill: KillPlan): Promise<string> {
  const base = callsOf(ctx.em, "collect").length;
  const calls = serviceCalls(ctx.em).length;
  const condition =
    kill.after === "posts"
      ? () => callsOf(ctx.em, "collect").length >= base + kill.posts
      : () => serviceCalls(ctx.em).length > calls;
  ctx.report.ups++;
  // The emulator runs in this process: its call record timestamps a request when this event loop
  // gets to it, which lags when the loop is busy (the Automation API winding down a killed run).
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const killed = await killedWhen(
    () => upText(ctx),
    () => cliProcess(ctx.fp.programDir, "up"),
    condition,
    {
      settleMs: kill.after === "posts" ? kill.settleMs : kill.ms,
      timeoutMs: 120_000,
    },
  );
  lag.disable();
  if (!killed.killed) {
    ctx.log(`  kill missed: the up ended first (${killed.failure ? gist(killed.failure) : "succeeded"})`);
    return killed.failure;
  }
  ctx.report.kills++;
  // Let whatever the dead run had in flight reach the emulator before anyone looks.
  await sleep(MAX_LATENCY_MS + 300);
  const lagMs = Math.round(lag.max / 1e6);
  const late = callsOf(ctx.em, "collect").filter((c) => c.startMs > killed.killedAtMs);
  // Every POST recorded after the kill is counted, with no grace (the table's column): the provider checks
  // its engine right before each POST, so none should leave after the engine is gone. A record within this
  // process's own event-loop lag of the kill is not proof of a late send (the request may have arrived
  // before the kill and waited for the loop), so those are counted apart; a POST recorded beyond the lag
  // was sent after the engine died, and fails the seed.
  const nearKill = late.filter((c) => c.startMs <= killed.killedAtMs + lagMs);
  ctx.report.postsAfterKill += late.length;
  ctx.report.postsNearKill += nearKill.length;
  const provablyLate = late.length - nearKill.length;
  if (provablyLate > 0) {
    ctx.report.failures.push(`${provablyLate} POST(s) recorded after a kill, beyond this process's lag`);
  }
  ctx.log(
    `  killed at ${killed.killedAtMs - ctx.started} ms; provider ${killed.providerExited ? "ended with its engine" : "OUTLIVED its engine"}` +
      `${late.length ? `; POSTs recorded ${late.map((c) => c.startMs - killed.killedAtMs).join(", ")} ms after the kill (event-loop lag here up to ${lagMs} ms)` : ""}`,
  );
  if (!killed.providerExited) ctx.report.failures.push("a provider process outlived its killed engine");
  await releaseLock(ctx);
  return killed.failure;
}

/** Scheduled faults no request met yet (the emulator's admin API lists what is left of each rule). */
async function faultsLeft(ctx: Context, agent: Agent): Promise<number> {
  const response = await request(`${ctx.em.url}/_emulator/faults`, { dispatcher: agent });
  const rules = (await response.body.json()) as Array<{ timesLeft: number }>;
  return rules.reduce((sum, r) => sum + r.timesLeft, 0);
}

async function runPhase(ctx: Context, phase: PhasePlan, index: number, agent: Agent): Promise<void> {
  const heldBefore = new Map<number, string>();
  if (phase.recollect.length > 0) {
    // Let every earlier collection finish first: a re-collection while the previous one still runs
    // takes the running one over by design (onConflict "adopt"), which is not what is tested here.
    ctx.em.advanceTime(DAY);
    const { resources } = await ctx.fp.exportState();
    for (const i of phase.recollect) {
      const name = ctx.plan.collections[i]!.name;
      const id = resources.find((r) => r.urn.endsWith(`::${name}`))?.id;
      if (id) heldBefore.set(i, id);
      ctx.generation[i]!++;
    }
    writeFleet(ctx);
  }
  ctx.log(`phase ${index + 1}: ${phase.scheduled} faults scheduled (chance ${phase.chance.toFixed(2)})`);
  ctx.em.clearFaults();
  for (const rule of phase.rules) ctx.em.injectFault(rule);
  ctx.report.schedules++;
  ctx.report.faultsScheduled += phase.scheduled;

  let lastFailure = "";
  for (const [r, run] of phase.runs.entries()) {
    const from = callsOf(ctx.em, "collect").length;
    const failure = run.kill ? await killedUp(ctx, run.kill) : await plainUp(ctx);
    lastFailure = failure;
    ctx.log(
      `  faulted run ${r + 1}${run.kill ? ` (kill ${run.kill.after === "posts" ? `after ${run.kill.posts} POSTs +${run.kill.settleMs} ms` : `${run.kill.ms} ms after the first call`})` : ""}: ` +
        `${failure ? `failed: ${gist(failure)}` : "succeeded"}; POSTs ${postsSince(ctx, from) || "none"}`,
    );
  }
  ctx.report.faultsInjected += phase.scheduled - (await faultsLeft(ctx, agent));
  ctx.em.clearFaults();

  // The last faulted run may have succeeded already: then the phase has converged.
  let converged = lastFailure === "";
  for (let r = 0; r < CONVERGE_RUNS && !converged; r++) {
    const from = callsOf(ctx.em, "collect").length;
    const failure = await plainUp(ctx);
    if (isLocked(failure)) await cancel(ctx);
    converged = failure === "";
    ctx.log(
      `  clean run ${r + 1}: ${converged ? "succeeded" : `failed: ${gist(failure)}`}; POSTs ${postsSince(ctx, from) || "none"}`,
    );
  }
  if (!converged)
    ctx.report.failures.push(`phase ${index + 1}: no successful up in ${CONVERGE_RUNS} clean runs`);
  record(ctx, await observe(ctx, heldBefore), `phase ${index + 1}`);
}

async function observe(ctx: Context, heldBefore: Map<number, string>): Promise<Violations> {
  const expected: ExpectedCollection[] = ctx.plan.collections.map((c, i) => ({
    name: c.name,
    machineId: ctx.ids[i]!,
    generations: Array.from({ length: ctx.generation[i]! }, (_, g) => expectedComment(ctx, i, g + 1)),
    ...(heldBefore.has(i) ? { heldBefore: heldBefore.get(i)! } : {}),
  }));
  const actions = (await Promise.all(ctx.ids.map((id) => collectionsOn(ctx.em, id)))).flat();
  const { resources } = await ctx.fp.exportState();
  const held: HeldResource[] = resources.map((r) => ({
    name: r.urn.slice(r.urn.lastIndexOf("::") + 2),
    id: r.id ?? "",
    ...(typeof r.outputs?.requestorComment === "string"
      ? { requestorComment: r.outputs.requestorComment }
      : {}),
  }));
  return checkInvariants(expected, actions, held);
}

function record(ctx: Context, v: Violations, when: string): void {
  ctx.report.duplicates += v.duplicates;
  ctx.report.orphans += v.orphans;
  ctx.report.skippedRecollections += v.skippedRecollections;
  ctx.report.lost += v.lost;
  ctx.report.foreign += v.foreign;
  for (const m of v.messages) ctx.report.failures.push(`${when}: ${m}`);
  ctx.log(`  invariants after ${when}: ${v.messages.length === 0 ? "hold" : v.messages.join("; ")}`);
}

/** The folder program: one collection per entry of `fleet.json`, which the runner rewrites between phases. */
const PROGRAM_FILES: Record<string, string> = {
  "Pulumi.yaml": "name: mde-test\nruntime: nodejs\ndescription: pulumi-mde chaos program\n",
  "package.json": `${JSON.stringify({ name: "mde-chaos-program", private: true, main: "index.js" })}\n`,
  "index.js": [
    '"use strict";',
    'const { readFileSync } = require("node:fs");',
    'const path = require("node:path");',
    'const { InvestigationPackageCollection } = require("pulumi-mde");',
    'const fleet = JSON.parse(readFileSync(path.join(__dirname, "fleet.json"), "utf8"));',
    "for (const c of fleet) {",
    "  new InvestigationPackageCollection(c.name, {",
    "    machineId: c.machineId,",
    "    comment: c.comment,",
    "    triggers: c.triggers,",
    "    waitForCompletion: c.waitForCompletion,",
    "  });",
    "}",
    "",
  ].join("\n"),
};

/** Writes the collections as the program declares them now (each at its generation). */
function writeFleet(ctx: Context): void {
  const fleet = ctx.plan.collections.map((c, i) => ({
    name: c.name,
    machineId: ctx.ids[i],
    comment: c.comment,
    triggers: [`generation-${ctx.generation[i]}`],
    waitForCompletion: c.waitForCompletion,
  }));
  writeFileSync(path.join(ctx.fp.programDir, "fleet.json"), `${JSON.stringify(fleet, null, 2)}\n`);
}

/**
 * The emulator's provider settings: through the environment (one `pulumi config set` costs the
 * CLI's start-up), except `mde:timeScale`, which only stack config carries.
 */
function providerSettings(em: Emulator): Pick<FolderProgramOptions, "config" | "env"> {
  const config = em.providerConfig();
  const value = (key: string) => config[key]?.value ?? "";
  return {
    config: config["mde:timeScale"] ? { "mde:timeScale": config["mde:timeScale"] } : {},
    env: {
      AZURE_TENANT_ID: value("mde:tenantId"),
      AZURE_CLIENT_ID: value("mde:clientId"),
      AZURE_CLIENT_SECRET: value("mde:clientSecret"),
      MDE_API_ENDPOINT: value("mde:apiEndpoint"),
      AZURE_AUTHORITY_HOST: value("mde:authorityHost"),
      MDE_CA_CERT_PATH: value("mde:caCertPath"),
    },
  };
}

/** Runs seed `seed` from start to end; never throws for what the system under test does. */
export async function runSeed(seed: number): Promise<SeedReport> {
  const plan = drawPlan(seed);
  const report: SeedReport = {
    seed,
    plan: describePlan(plan),
    schedules: 0,
    faultsScheduled: 0,
    faultsInjected: 0,
    killsPlanned: plan.phases.flatMap((p) => p.runs).filter((r) => r.kill).length,
    kills: 0,
    ups: 0,
    duplicates: 0,
    orphans: 0,
    skippedRecollections: 0,
    lost: 0,
    foreign: 0,
    postsAfterKill: 0,
    postsNearKill: 0,
    failures: [],
    log: [],
    ms: 0,
  };
  const started = Date.now();
  const fleet = healthyFleet(await healthyTemplate(), plan.collections.length, seed % 1000);
  const em = await startTestEmulator({ timeScale: CHAOS_TIME_SCALE, lifecycle: LIFECYCLE, fleet });
  const agent = new Agent({ connect: { ca: em.caPem } });
  const ids = fleet.map((d) => d.id);
  const generation = plan.collections.map(() => 1);
  const programDir = path.join(
    REPO_ROOT,
    ".tmp",
    "chaos",
    `seed-${seed}-${process.pid}-${Date.now().toString(36)}`,
  );
  mkdirSync(programDir, { recursive: true });
  for (const [file, text] of Object.entries(PROGRAM_FILES)) writeFileSync(path.join(programDir, file), text);
  let fp: FolderProgram | undefined;
  try {
    fp = createFolderProgram({
      programDir,
      ...providerSettings(em),
      commandTimeoutInMs: 180_000,
    });
    const c: Context = {
      plan,
      em,
      fp,
      ids,
      generation,
      report,
      started,
      log: (line) => report.log.push(line),
    };
    writeFleet(c);
    await fp.init();
    for (const [i, phase] of plan.phases.entries()) await runPhase(c, phase, i, agent);
    const before = callsOf(em, "collect").length;
    const failure = await plainUp(c);
    const posted = callsOf(em, "collect").length - before;
    c.log(`final up: ${failure ? `failed: ${gist(failure)}` : "succeeded"}; ${posted} POSTs`);
    if (failure) report.failures.push(`final up failed: ${gist(failure)}`);
    if (posted > 0) report.failures.push(`final up posted ${posted} times`);
  } catch (error) {
    report.failures.push(
      `runner error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    report.ms = Date.now() - started;
    await fp?.dispose();
    if (process.env.KEEP_ENGINE_TMP !== "1") rmSync(programDir, { recursive: true, force: true });
    await agent.close();
    await closeEmulatorApi(em);
    await em.close();
  }
  return report;
}
