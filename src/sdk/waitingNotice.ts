/**
 * One warning per program run when the program declares more waiting creates than the engine runs at
 * once. A collection with `waitForCompletion` and a download both hold one of the engine's `--parallel`
 * slots for their whole wait (minutes), so past that number they wait in waves: 12 waited collections at
 * the default 8 took about twice as long as at `--parallel 12`, and the waves cost status reads too.
 *
 * The count lives in this module, in the program process (not the provider's): the program is the one
 * place that sees every declared resource at both `preview` and `up`.
 */
import * as pulumi from "@pulumi/pulumi";

/** What the program declared so far that will wait during `up`. */
export interface WaitingCounts {
  /** Collections with `waitForCompletion: true`. */
  collections: number;
  /** Downloads that do not follow a waited collection of this program (those wait on their own). */
  downloads: number;
}

const counts: WaitingCounts = { collections: 0, downloads: 0 };
let noticeScheduled = false;
/**
 * The `id` and `actionId` outputs of waited collections. A download given one of them starts only when
 * that collection's wait has ended, so it takes over the slot rather than needing another.
 */
const waitedActionIds = new WeakSet<object>();

/**
 * The engine's parallelism as the program was told it: the CLI passes `--parallel` (its default is
 * 4 × CPUs, or `PULUMI_PARALLEL`) to the language host, which sets `PULUMI_NODEJS_PARALLEL` for a
 * folder program; an inline program of the Automation API gets it in the runtime's options instead.
 * Undefined when neither says (unit tests, mocks), or the value is not a positive number.
 */
export function engineParallelism(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fromEnv = Number.parseInt(env.PULUMI_NODEJS_PARALLEL ?? "", 10);
  if (fromEnv > 0) return fromEnv;
  // The SDK keeps an inline program's options in an async-local store it publishes on `global`; read
  // defensively, as it is not a public API: nothing found means no notice, never a failure.
  const g = globalThis as {
    asyncLocalStorage?: { getStore?: () => unknown };
    globalStore?: unknown;
  };
  const store = (g.asyncLocalStorage?.getStore?.() ?? g.globalStore) as
    | { settings?: { options?: { parallel?: unknown } } }
    | undefined;
  const parallel = store?.settings?.options?.parallel;
  return typeof parallel === "number" && parallel > 0 ? parallel : undefined;
}

/**
 * The warning for `counts` waiting creates against `parallel` slots, or undefined when they fit.
 * One paragraph with the number to use and both ways to set it.
 */
export function waitingNotice(c: WaitingCounts, parallel: number | undefined): string | undefined {
  const total = c.collections + c.downloads;
  if (parallel === undefined || total <= parallel) return undefined;
  const parts = [
    c.collections > 0
      ? `${c.collections} collection${c.collections === 1 ? "" : "s"} with waitForCompletion`
      : "",
    c.downloads > 0 ? `${c.downloads} download${c.downloads === 1 ? "" : "s"}` : "",
  ].filter((p) => p !== "");
  return (
    `pulumi-mde: this program has ${total} creates that wait (${parts.join(" and ")}), but the engine runs ` +
    `${parallel} operations at a time: each waiting create holds one until it ends, so the rest start in waves, ` +
    `taking longer and costing more status reads. Run \`pulumi up --parallel ${total}\`, or set ` +
    `PULUMI_PARALLEL=${total} in the environment, to run them all at once.`
  );
}

/**
 * Counts one waiting create, and schedules the single notice once the count first exceeds the engine's
 * parallelism. The notice is written a turn later, so a program that declares its resources in a loop
 * is counted whole; later declarations do not repeat it.
 */
function countWaiting(kind: keyof WaitingCounts): void {
  counts[kind]++;
  if (noticeScheduled) return;
  const parallel = engineParallelism();
  if (waitingNotice(counts, parallel) === undefined) return;
  noticeScheduled = true;
  setImmediate(() => {
    const message = waitingNotice(counts, parallel);
    if (message !== undefined) void pulumi.log.warn(message);
  });
}

/**
 * Called by a collection's constructor: counts it when it waits (`waitForCompletion` true, as a value or
 * once its Output resolves) and remembers its ID outputs for {@link noteDownload}.
 */
export function noteCollection(
  waitForCompletion: pulumi.Input<boolean> | undefined,
  idOutputs: readonly object[],
): void {
  if (waitForCompletion === true) {
    for (const o of idOutputs) waitedActionIds.add(o);
    countWaiting("collections");
  } else if (pulumi.Output.isInstance(waitForCompletion)) {
    waitForCompletion.apply((w) => {
      if (w === true) countWaiting("collections");
    });
  }
}

/** Called by a download's constructor: counts it unless its `actionId` is a waited collection's ID output. */
export function noteDownload(actionId: unknown): void {
  if (typeof actionId === "object" && actionId !== null && waitedActionIds.has(actionId)) return;
  countWaiting("downloads");
}
