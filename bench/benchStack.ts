/**
 * Stacks for the bench: the test harness's local backend, pinned CLI and environment, plus the one
 * engine setting the bench changes (see {@link BENCH_ENGINE_ENV}), and a timed `up`.
 */
import type { ConfigMap, PulumiFn, RefreshResult, UpResult } from "@pulumi/pulumi/automation";
import { createTestStack, type TestStack } from "pulumi-mde-harness";

/**
 * `PULUMI_SKIP_CHECKPOINTS=true`: the engine writes state once at the end instead of after every step.
 * With the default file backend every step rewrites the whole state, which is quadratic in the number of
 * resources (400 no-op resources: 50 s with checkpoints, 12 s without, on the bench machine). At the bench's
 * time scales that would make the engine, not the API quota, the bottleneck, which real time (100 POSTs
 * per minute) never does. The same setting applies to every run, ours, no-op and naive alike.
 */
export const BENCH_ENGINE_ENV: Readonly<Record<string, string>> = { PULUMI_SKIP_CHECKPOINTS: "true" };

/** Options of {@link benchStack}. */
export interface BenchStackOptions {
  config?: ConfigMap;
  env?: Record<string, string>;
  /** Keep the engine's default per-step checkpoints instead of {@link BENCH_ENGINE_ENV}. @default false */
  checkpoints?: boolean;
}

/** A fresh stack (own backend and work directory) for `program`. */
export function benchStack(program: PulumiFn, opts: BenchStackOptions = {}): Promise<TestStack> {
  return createTestStack({
    program,
    projectName: "mde-bench",
    ...(opts.config ? { config: opts.config } : {}),
    env: { ...(opts.checkpoints ? {} : BENCH_ENGINE_ENV), ...opts.env },
  });
}

/** Outcome of a timed engine operation. */
export interface Timed<R> {
  /** Real seconds from the call to its return, engine start-up included. */
  readonly seconds: number;
  /** The result; undefined when the operation failed. */
  readonly result?: R;
  /** Why the operation failed, when it did (first line only: the full text can be long). */
  readonly error?: string;
}

/** Outcome of {@link timedUp}. */
export type TimedUp = Timed<UpResult>;

async function timed<R>(operation: () => Promise<R>): Promise<Timed<R>> {
  const started = performance.now();
  try {
    const result = await operation();
    return { seconds: (performance.now() - started) / 1000, result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { seconds: (performance.now() - started) / 1000, error: message.split("\n")[0] ?? message };
  }
}

/**
 * Runs `up` and times it; a failed update is an outcome here, not an exception. `parallel` undefined
 * leaves the engine's default (4 x CPUs, or PULUMI_PARALLEL).
 */
export function timedUp(
  stack: TestStack,
  opts: { parallel?: number; continueOnError?: boolean },
): Promise<TimedUp> {
  return timed(() => stack.stack.up({ parallel: opts.parallel, continueOnError: opts.continueOnError }));
}

/** Runs `refresh` and times it; `parallel` undefined leaves the engine's default. */
export function timedRefresh(stack: TestStack, opts: { parallel?: number }): Promise<Timed<RefreshResult>> {
  return timed(() => stack.stack.refresh(opts.parallel === undefined ? {} : { parallel: opts.parallel }));
}
