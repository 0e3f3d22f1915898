/**
 * Scenario 7: `pulumi refresh` of many finished collections, at real time (x1) and the API's real read
 * limits: how many machine-action reads it costs and how long it takes.
 *
 * The setup cannot post 1500 collections at real time (15 minutes at 100 per minute), so it moves the
 * emulator's clock instead of waiting: the fleet is deployed by ups of at most 100 new collections, and
 * the clock jumps 61 emulated seconds between them, so each batch finds an empty minute window (and
 * 1500 fit in the hour). Then the clock jumps an hour: every collection is final, every window empty.
 * Each refresh starts from the state the setup left (every status `Pending`), imported again, so all
 * runs record the same 1500 changes.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import type { Emulator } from "pulumi-mde-emulator";
import { emulatorConfig, healthyIds, startTestEmulator, type TestStack } from "pulumi-mde-harness";
import { benchStack, timedRefresh, timedUp } from "./benchStack";
import { readCalls, throttledCalls } from "./callCounts";
import { collectionProgram } from "./collectionProgram";
import { PER_HOUR_CEILING } from "./hourCap";
import { PER_MINUTE_CEILING } from "./throughput";

/** Emulated seconds the clock moves between setup batches: just over the minute window. */
const BATCH_GAP_SECONDS = 61;
/** Emulated seconds the clock moves after the setup: every collection final, every window empty. */
const SETTLE_SECONDS = 3600;

/** Parameters of {@link deployFinishedFleet}. */
export interface FleetParams {
  /** At most the hourly quota (1500). */
  n: number;
  parallel: number;
}

/** A stack of `n` collections whose actions are all final, on an emulator at real time. */
export interface FinishedFleet {
  readonly em: Emulator;
  readonly stack: TestStack;
  readonly n: number;
  /** Ups the setup took (one per batch of at most 100 new collections). */
  readonly batches: number;
  /** Real seconds of the setup. */
  readonly setupSeconds: number;
  /** 429 answers during the setup (0 expected: each batch fits its window). */
  readonly setupThrottled: number;
  /** The state after the setup, imported again before each refresh. */
  readonly deployment: Deployment;
  close(): Promise<void>;
}

/** Deploys `n` collections without waiting, in batches, and lets every action finish. */
export async function deployFinishedFleet(
  p: FleetParams,
  progress: (line: string) => void = () => {},
): Promise<FinishedFleet> {
  if (p.n > PER_HOUR_CEILING)
    throw new Error(`the refresh setup posts at most ${PER_HOUR_CEILING} collections`);
  const started = performance.now();
  const em = await startTestEmulator({ extraHealthyDevices: p.n });
  let stack: TestStack | undefined;
  try {
    const ids = healthyIds(em, p.n);
    let throttled = 0;
    let batches = 0;
    for (let done = 0; done < p.n; done += PER_MINUTE_CEILING) {
      const upTo = Math.min(p.n, done + PER_MINUTE_CEILING);
      const program = collectionProgram("collection", ids.slice(0, upTo));
      // One stack, its program growing by a batch per up.
      stack ??= await benchStack(program, { config: emulatorConfig(em) });
      stack.stack.workspace.program = program;
      const up = await timedUp(stack, { parallel: p.parallel });
      batches++;
      throttled += throttledCalls(em.calls());
      em.resetRecord();
      if (up.error)
        throw new Error(`refresh setup: the up of collections ${done} to ${upTo - 1} failed: ${up.error}`);
      progress(`refresh setup: ${upTo}/${p.n} collections in state (${up.seconds.toFixed(1)} s)`);
      em.advanceTime(BATCH_GAP_SECONDS);
    }
    if (!stack) throw new Error("refresh setup: nothing to deploy");
    em.advanceTime(SETTLE_SECONDS);
    const exported = await stack.exportState();
    const inState = exported.resources.filter((r) => r.id).length;
    if (inState !== p.n) throw new Error(`refresh setup: ${inState} collections in state, expected ${p.n}`);
    const owned = stack;
    return {
      em,
      stack: owned,
      n: p.n,
      batches,
      setupSeconds: (performance.now() - started) / 1000,
      setupThrottled: throttled,
      deployment: JSON.parse(exported.text) as Deployment,
      async close() {
        await owned.dispose();
        await em.close();
      },
    };
  } catch (error) {
    await stack?.dispose();
    await em.close();
    throw error;
  }
}

/** Figures of one refresh. */
export interface RefreshRun {
  /** `--parallel`; undefined for the engine's default. */
  readonly parallel?: number;
  readonly getActionCalls: number;
  readonly listActionsCalls: number;
  /** getAction + listActions calls during the refresh. */
  readonly readCalls: number;
  /** The refresh, engine start-up included, in emulated minutes (real minutes: x1). */
  readonly minutes: number;
  readonly throttled: number;
  /** Collections whose refreshed status is `Succeeded`. */
  readonly succeeded: number;
  /** Why the refresh failed, when it did. */
  readonly error?: string;
}

/** Refreshes the fleet from its setup state; `parallel` undefined leaves the engine's default. */
export async function runRefresh(fleet: FinishedFleet, parallel?: number): Promise<RefreshRun> {
  await fleet.stack.stack.importStack(fleet.deployment);
  // A fresh hour: this run's reads meet empty windows whatever the previous run spent.
  fleet.em.advanceTime(SETTLE_SECONDS);
  fleet.em.resetRecord();
  const refresh = await timedRefresh(fleet.stack, parallel === undefined ? {} : { parallel });
  const calls = fleet.em.calls();
  const reads = readCalls(calls);
  const { resources } = await fleet.stack.exportState();
  return {
    ...(parallel === undefined ? {} : { parallel }),
    getActionCalls: reads.getAction,
    listActionsCalls: reads.listActions,
    readCalls: reads.total,
    minutes: refresh.seconds / 60,
    throttled: throttledCalls(calls),
    succeeded: resources.filter((r) => r.outputs?.status === "Succeeded").length,
    ...(refresh.error ? { error: refresh.error } : {}),
  };
}

/** One refresh at the given `--parallel` and one at the engine's default. */
export interface RefreshPair {
  readonly wide: RefreshRun;
  readonly engineDefault: RefreshRun;
  /** Why either refresh failed, when one did. */
  readonly error?: string;
}

/** Pair `i`: both refreshes back to back, alternating which goes first. */
export async function runRefreshPair(
  fleet: FinishedFleet,
  parallel: number,
  i: number,
): Promise<RefreshPair> {
  let wide: RefreshRun;
  let engineDefault: RefreshRun;
  if (i % 2 === 0) {
    engineDefault = await runRefresh(fleet);
    wide = await runRefresh(fleet, parallel);
  } else {
    wide = await runRefresh(fleet, parallel);
    engineDefault = await runRefresh(fleet);
  }
  const error = [wide.error, engineDefault.error].filter(Boolean).join("; ");
  return { wide, engineDefault, ...(error ? { error } : {}) };
}
