/**
 * Scenario 6: many collections with `waitForCompletion` in one `up`, against the emulator with its real
 * (time-scaled) limits and collection lifecycle. How close the `up` ends to the moment the last collection
 * could have been seen final, and how many machine-action reads the waiting costs.
 */
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { readCalls, throttledCalls } from "./callCounts";
import { collectionProgram } from "./collectionProgram";
import { acceptedArrivals, emulatedMinutes, minuteMs } from "./postTimeline";
import { PER_MINUTE_CEILING } from "./throughput";

/** Parameters of {@link runWaitForCompletion}. */
export interface WaitParams {
  n: number;
  /** `--parallel`; undefined: the engine's default. */
  parallel?: number;
  timeScale: number;
  /** The emulator's collection lifecycle, emulated seconds. */
  lifecycle: { pendingSeconds: number; inProgressSeconds: number };
}

/** Figures of one waiting run. */
export interface WaitRun {
  /** The `up`, engine start-up included, in emulated minutes. */
  readonly upMinutes: number;
  /** `n / 100` minutes of POSTs plus the lifecycle of the last collection, emulated minutes. */
  readonly idealMinutes: number;
  /** {@link upMinutes} / {@link idealMinutes}. */
  readonly ratio: number;
  /** From the end of the last collection (its POST plus the lifecycle) to the end of the `up`, emulated minutes. */
  readonly afterLastFinalMinutes: number;
  /** First to last accepted POST, emulated minutes. */
  readonly postSpanMinutes: number;
  readonly getActionCalls: number;
  readonly listActionsCalls: number;
  /** getAction + listActions calls during the `up`, divided by `n`. */
  readonly readsPerCollection: number;
  /** 429 answers on any route. */
  readonly throttled: number;
  /** Resources in state whose status is `Succeeded`. */
  readonly succeeded: number;
  readonly upSeconds: number;
  /** How many times the `up` printed pulumi-mde's notice that the waits outnumber the engine's slots. */
  readonly notices: number;
  /** Why the `up` failed, when it did. */
  readonly error?: string;
}

/**
 * How many times the program emitted pulumi-mde's waiting notice: the engine prints each warning live
 * and again under `Diagnostics:`, so it is counted there, where each appears once.
 */
function noticesIn(stdout: string): number {
  const diagnostics = stdout.indexOf("\nDiagnostics:");
  return diagnostics < 0 ? 0 : stdout.slice(diagnostics).split("creates that wait").length - 1;
}

/** The ideal duration of an `up` that posts `n` collections and waits for them, in emulated minutes. */
export function idealWaitMinutes(n: number, lifecycle: WaitParams["lifecycle"]): number {
  return n / PER_MINUTE_CEILING + (lifecycle.pendingSeconds + lifecycle.inProgressSeconds) / 60;
}

/** Deploys `n` waited-for collections and measures. */
export async function runWaitForCompletion(p: WaitParams): Promise<WaitRun> {
  const em = await startTestEmulator({
    extraHealthyDevices: p.n,
    timeScale: p.timeScale,
    lifecycle: p.lifecycle,
  });
  try {
    const program = collectionProgram("collection", healthyIds(em, p.n), { waitForCompletion: true });
    const stack = await benchStack(program, { config: emulatorConfig(em) });
    try {
      const up = await timedUp(stack, { parallel: p.parallel });
      const endedMs = Date.now();
      const calls = em.calls();
      const reads = readCalls(calls);
      const arrivals = acceptedArrivals(calls, "collect");
      const lifecycleMs =
        ((p.lifecycle.pendingSeconds + p.lifecycle.inProgressSeconds) / 60) * minuteMs(p.timeScale);
      const lastFinalMs = (arrivals.at(-1) ?? Number.NaN) + lifecycleMs;
      const upMinutes = (up.seconds * 1000) / minuteMs(p.timeScale);
      const idealMinutes = idealWaitMinutes(p.n, p.lifecycle);
      const { resources } = await stack.exportState();
      return {
        upMinutes,
        idealMinutes,
        ratio: upMinutes / idealMinutes,
        afterLastFinalMinutes: emulatedMinutes(lastFinalMs, endedMs, p.timeScale),
        postSpanMinutes: emulatedMinutes(
          arrivals[0] ?? Number.NaN,
          arrivals.at(-1) ?? Number.NaN,
          p.timeScale,
        ),
        getActionCalls: reads.getAction,
        listActionsCalls: reads.listActions,
        readsPerCollection: reads.total / p.n,
        throttled: throttledCalls(calls),
        succeeded: resources.filter((r) => r.outputs?.status === "Succeeded").length,
        upSeconds: up.seconds,
        notices: noticesIn(up.result?.stdout ?? ""),
        ...(up.error ? { error: up.error } : {}),
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await em.close();
  }
}
