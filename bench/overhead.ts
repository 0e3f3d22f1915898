/**
 * Scenarios 3 and 4: what the collection provider costs beyond the engine. The same number of
 * collections (against an emulator without limits, and the provider's own budget raised out of the way)
 * and of no-op dynamic resources, on the same engine and machine, in the same run; wall time, the
 * provider process's peak memory, and the weight of each resource in state.
 */
import type { StateResource } from "pulumi-mde-harness";
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { collectionProgram } from "./collectionProgram";
import { watchEngineProcesses } from "./engineProcesses";

/** Which resource an overhead run deploys. */
export type OverheadKind = "collection" | "noop";

/** Parameters of {@link runOverhead}. */
export interface OverheadParams {
  kind: OverheadKind;
  n: number;
  parallel: number;
  /** Engine writes state after every step (its default) rather than once at the end. */
  checkpoints: boolean;
}

/** Figures of one overhead run. */
export interface OverheadRun {
  readonly kind: OverheadKind;
  /** Real seconds of the `up`, engine start-up included. */
  readonly upSeconds: number;
  /** Peak resident set (`VmHWM`) of the dynamic-provider process, bytes. */
  readonly providerPeakBytes: number;
  /** CPU time (user + system) of the dynamic-provider process, seconds. */
  readonly providerCpuSeconds: number;
  /** CPU time of the `pulumi` CLI (the engine), seconds. */
  readonly engineCpuSeconds: number;
  /** Provider processes seen (1 expected: `up` skips the preview). */
  readonly providerProcesses: number;
  /** Mean bytes of one resource in the exported state (its JSON: inputs, outputs, metadata). */
  readonly stateBytesPerResource: number;
  /** Bytes of the serialized provider (`__provider`), stored in each resource's inputs and outputs. */
  readonly providerTextBytes: number;
  readonly created: number;
}

/**
 * Budgets far above anything reachable: the collection provider's own limiter must not wait, so the
 * run measures its work, not the quota. (Its one-POST-at-a-time rule still applies: it is part of it.)
 */
const UNLIMITED = "1000000";

function providerText(resource: StateResource): string {
  const text = resource.outputs?.__provider ?? resource.inputs?.__provider;
  if (typeof text !== "string") throw new Error(`no plain __provider in ${resource.urn}`);
  return text;
}

/** Deploys `n` resources of `kind` and measures. */
export async function runOverhead(p: OverheadParams): Promise<OverheadRun> {
  const em =
    p.kind === "collection"
      ? await startTestEmulator({ extraHealthyDevices: p.n, rateLimits: false })
      : undefined;
  try {
    // The no-op resources get the same device IDs shape, from the same fleet helper's numbering.
    const ids = em
      ? healthyIds(em, p.n)
      : Array.from({ length: p.n }, (_, i) => (i + 1001).toString(16).padStart(8, "0").repeat(5));
    const stack = await benchStack(collectionProgram(p.kind, ids), {
      checkpoints: p.checkpoints,
      ...(em
        ? {
            config: emulatorConfig(em, {
              "mde:rateLimitPerMinute": { value: UNLIMITED },
              "mde:rateLimitPerHour": { value: UNLIMITED },
            }),
          }
        : {}),
    });
    try {
      const watch = watchEngineProcesses();
      const up = await timedUp(stack, { parallel: p.parallel });
      const usage = watch.stop();
      if (up.error) throw new Error(`the ${p.kind} deployment failed: ${up.error}`);
      const { resources } = await stack.exportState();
      const created = resources.filter((r) => r.id);
      const bytes = created.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0);
      const first = created[0];
      return {
        kind: p.kind,
        upSeconds: up.seconds,
        providerPeakBytes: usage.provider.peakBytes,
        providerCpuSeconds: usage.provider.cpuSeconds,
        engineCpuSeconds: usage.engine.cpuSeconds,
        providerProcesses: usage.provider.processes,
        stateBytesPerResource: created.length > 0 ? bytes / created.length : Number.NaN,
        providerTextBytes: first ? Buffer.byteLength(providerText(first)) : Number.NaN,
        created: created.length,
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await em?.close();
  }
}

/** One collection run and one no-op run, measured back to back. */
export interface OverheadPair {
  readonly collection: OverheadRun;
  readonly noop: OverheadRun;
}

/**
 * Pair `i` of a series: the two kinds back to back, alternating which goes first, so drifting load on a
 * shared machine hits both alike.
 */
export async function runOverheadPair(p: Omit<OverheadParams, "kind">, i: number): Promise<OverheadPair> {
  const order = i % 2 === 0 ? (["noop", "collection"] as const) : (["collection", "noop"] as const);
  const a = await runOverhead({ ...p, kind: order[0] });
  const b = await runOverhead({ ...p, kind: order[1] });
  return a.kind === "collection" ? { collection: a, noop: b } : { collection: b, noop: a };
}
