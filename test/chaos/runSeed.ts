/**
 * Runs one chaos seed through the real engine (Automation API, the pinned CLI) against a time-scaled
 * emulator: a small fleet of collections, phases of per-request faults on the collect POST, the
 * status reads, the look-ups and the token endpoint, SIGKILLs of `pulumi up` mid-run followed by what
 * a user does (`pulumi cancel` when locked, then `up` again), and sometimes a deliberate re-collection.
 * After each phase the invariants of `invariants.ts` are checked; at the end, one more `up` must post
 * nothing.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import {
  callsOf,
  emulatorStack,
  healthyFleet,
  healthyTemplate,
  startTestEmulator,
  type TestStack,
} from "pulumi-mde-harness";
import { Agent, request } from "undici";
import { collectionMarker, markedComment } from "../../src/resources/collection/collectionMarker";
import { closeEmulatorApi, collectionsOn, errorText, expectFailure, serviceCalls } from "../helpers/faults";
import { isLocked, upKilledWhen } from "../helpers/kill";
import { checkInvariants, type ExpectedCollection, type HeldResource, type Violations } from "./invariants";
import { describePlan, drawPlan, type KillPlan, MAX_LATENCY_MS, type PhasePlan, type SeedPlan } from "./plan";

/** Emulated seconds per real second: a collection's whole lifecycle takes 0.15 s. */
export const CHAOS_TIME_SCALE = 600;
const LIFECYCLE = { pendingSeconds: 30, inProgressSeconds: 60 };
const DAY = 86_400;
/**
 * Slack, in real milliseconds, between a POST's arrival as the emulator records it and the kill, on top
 * of the measured event-loop lag of this process, before it counts as posted after the kill.
 */
const KILL_TOLERANCE_MS = 50;
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
  /** Collect calls that arrived after a kill, later than this process's event-loop lag explains (none expected). */
  postsAfterKill: number;
  /** Collect calls recorded after a kill within that lag: sent before the kill, recorded late. */
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
  s: TestStack;
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
    collectionMarker({
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

async function plainUp(ctx: Context): Promise<string> {
  ctx.report.ups++;
  return ctx.s.up().then(
    () => "",
    (e: unknown) => errorText(e),
  );
}

/** After a kill: the user's next `up` meets the dead run's lock and runs `pulumi cancel`. */
async function releaseLock(ctx: Context): Promise<void> {
  const failure = await plainUp(ctx);
  if (isLocked(failure)) {
    await ctx.s.stack.cancel();
    ctx.log("  locked: pulumi cancel");
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
  const killed = await upKilledWhen(ctx.s, condition, {
    settleMs: kill.after === "posts" ? kill.settleMs : kill.ms,
    timeoutMs: 120_000,
  });
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
  // Later than this process's own lag can explain: the provider posted after its engine died.
  const after = late.filter((c) => c.startMs > killed.killedAtMs + lagMs + KILL_TOLERANCE_MS).length;
  ctx.report.postsAfterKill += after;
  ctx.report.postsNearKill += late.length - after;
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
    const { resources } = await ctx.s.exportState();
    for (const i of phase.recollect) {
      const name = ctx.plan.collections[i]!.name;
      const id = resources.find((r) => r.urn.endsWith(`::${name}`))?.id;
      if (id) heldBefore.set(i, id);
      ctx.generation[i]!++;
    }
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
    if (isLocked(failure)) {
      await ctx.s.stack.cancel();
      ctx.log("  locked: pulumi cancel");
    }
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
  const { resources } = await ctx.s.exportState();
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
  const program = async () => {
    for (const [i, c] of plan.collections.entries()) {
      expectFailure(
        new InvestigationPackageCollection(c.name, {
          machineId: ids[i]!,
          comment: c.comment,
          triggers: [`generation-${generation[i]}`],
          waitForCompletion: c.waitForCompletion,
        }),
      );
    }
  };
  let s: TestStack | undefined;
  const ctx: Omit<Context, "s"> = {
    plan,
    em,
    ids,
    generation,
    report,
    started,
    log: (line) => report.log.push(line),
  };
  try {
    s = await emulatorStack(em, program);
    const c: Context = { ...ctx, s };
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
    await s?.dispose();
    await agent.close();
    await closeEmulatorApi(em);
    await em.close();
  }
  return report;
}
