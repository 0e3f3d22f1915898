/**
 * Scenario 5: the naive provider on the same emulator, limits and N as the throughput scenario.
 * Each resource makes one POST and fails on anything but 2xx, as a hand-written provider would.
 */
import { healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { collectionProgram } from "./collectionProgram";

/** Parameters of {@link runNaive}. */
export interface NaiveParams {
  n: number;
  parallel: number;
  timeScale: number;
  /**
   * `pulumi up --continue-on-error`: every resource is attempted; without it the engine stops starting
   * new creates after the first failure, as a plain `pulumi up` does.
   */
  continueOnError: boolean;
}

/** Figures of one naive run. */
export interface NaiveRun {
  /** Resources created (in exported state). */
  readonly created: number;
  /** Resources whose POST was refused with 429 (each resource makes exactly one POST). */
  readonly failedOn429: number;
  /** Resources that failed otherwise. */
  readonly failedOther: number;
  /** Resources the engine never started (it stops after a failure unless told to continue). */
  readonly notAttempted: number;
  /** Real seconds of the `up`. */
  readonly upSeconds: number;
}

/** Deploys `n` naive collections and counts what happened. */
export async function runNaive(p: NaiveParams): Promise<NaiveRun> {
  const em = await startTestEmulator({ extraHealthyDevices: p.n, timeScale: p.timeScale });
  try {
    // A token minted directly: the baseline gets its credential for free, the provider fetches its own.
    const naive = { apiUrl: em.url, token: em.issueToken() };
    const stack = await benchStack(collectionProgram("naive", healthyIds(em, p.n), { naive }), {
      // fetch (undici inside Node) trusts the emulator's CA only through this, read at process start.
      env: { NODE_EXTRA_CA_CERTS: em.caFile },
    });
    try {
      const up = await timedUp(stack, { parallel: p.parallel, continueOnError: p.continueOnError });
      const posts = em.calls({ route: "collect" });
      const created = (await stack.exportState()).resources.filter((r) => r.id).length;
      const throttled = posts.filter((c) => c.status === 429).length;
      return {
        created,
        failedOn429: throttled,
        failedOther: posts.length - throttled - created,
        notAttempted: p.n - posts.length,
        upSeconds: up.seconds,
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await em.close();
  }
}
