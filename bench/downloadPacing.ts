/**
 * Scenario 8a: many package downloads in one `up`, against the emulator with its real (time-scaled)
 * limits. GetPackageUri allows 2 calls per minute: how close the provider runs to that ceiling.
 */
import path from "node:path";
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { throttledCalls } from "./callCounts";
import { downloadProgram } from "./downloadProgram";
import { acceptedArrivals, busiestWindow, minuteMs, sustainedRatio, windowLagMs } from "./postTimeline";

/** The documented per-minute ceiling of GetPackageUri. */
export const LINK_PER_MINUTE_CEILING = 2;

/** Parameters of {@link runDownloadPacing}. */
export interface DownloadPacingParams {
  n: number;
  parallel: number;
  timeScale: number;
  /** The emulator's collection lifecycle, emulated seconds. */
  lifecycle: { pendingSeconds: number; inProgressSeconds: number };
}

/** Figures of one pacing run. */
export interface DownloadPacingRun {
  /** GetPackageUri calls per emulated minute over whole windows / 2, see `sustainedRatio`. */
  readonly ratio: number;
  /** Real ms each whole window lasted beyond one emulated minute, see `windowLagMs`. */
  readonly windowLagMs: number;
  /** GetPackageUri calls (any answer) per download. */
  readonly linksPerDownload: number;
  /** Most accepted GetPackageUri calls in any sliding emulated minute. */
  readonly busiestMinute: number;
  /** 429 answers on any route. */
  readonly throttled: number;
  /** Downloads in state whose file is intact. */
  readonly downloaded: number;
  readonly upSeconds: number;
  /** Why the `up` failed, when it did. */
  readonly error?: string;
}

/** Deploys `n` collections with their downloads and measures the link calls. */
export async function runDownloadPacing(p: DownloadPacingParams): Promise<DownloadPacingRun> {
  const em = await startTestEmulator({
    extraHealthyDevices: p.n,
    timeScale: p.timeScale,
    lifecycle: p.lifecycle,
  });
  try {
    let directory = "";
    const stack = await benchStack(
      // The folder is inside the stack's work directory (removed with it); the program runs after.
      async () => downloadProgram(healthyIds(em, p.n), directory)(),
      { config: emulatorConfig(em) },
    );
    directory = path.join(stack.workDir, "evidence");
    try {
      const up = await timedUp(stack, { parallel: p.parallel });
      const calls = em.calls();
      const links = calls.filter((c) => c.route === "getPackageUri");
      const arrivals = acceptedArrivals(calls, "getPackageUri");
      const { resources } = await stack.exportState();
      return {
        ratio: sustainedRatio(arrivals, p.timeScale, LINK_PER_MINUTE_CEILING),
        windowLagMs: windowLagMs(arrivals, p.timeScale, LINK_PER_MINUTE_CEILING),
        linksPerDownload: links.length / p.n,
        busiestMinute: busiestWindow(arrivals, minuteMs(p.timeScale)),
        throttled: throttledCalls(calls),
        downloaded: resources.filter((r) => r.outputs?.fileStatus === "intact").length,
        upSeconds: up.seconds,
        ...(up.error ? { error: up.error } : {}),
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await em.close();
  }
}
