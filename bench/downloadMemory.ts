/**
 * Scenario 8b: the provider process's peak memory while it downloads one package, a small one and a
 * large one (the emulator pads the package with incompressible bytes, generated as it streams). A
 * streamed, hashed transfer should cost the same memory whatever the size.
 */
import path from "node:path";
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { downloadProgram } from "./downloadProgram";
import { watchEngineProcesses } from "./engineProcesses";

/** Parameters of {@link runDownloadMemory}. */
export interface DownloadMemoryParams {
  /** `packagePaddingBytes` of the emulator: the package is this plus a few KiB. */
  paddingBytes: number;
  timeScale: number;
  /** The emulator's collection lifecycle, emulated seconds. */
  lifecycle: { pendingSeconds: number; inProgressSeconds: number };
}

/** Figures of one memory run. */
export interface DownloadMemoryRun {
  /** Peak resident set (`VmHWM`) of the dynamic-provider process, bytes. */
  readonly providerPeakBytes: number;
  /** Size of the package downloaded, bytes (from state). */
  readonly packageBytes: number;
  readonly upSeconds: number;
  /** Why the `up` failed, when it did. */
  readonly error?: string;
}

/** Collects from one device and downloads its package, watching the provider process. */
export async function runDownloadMemory(p: DownloadMemoryParams): Promise<DownloadMemoryRun> {
  const em = await startTestEmulator({
    extraHealthyDevices: 1,
    timeScale: p.timeScale,
    lifecycle: p.lifecycle,
    packagePaddingBytes: p.paddingBytes,
  });
  try {
    let directory = "";
    const stack = await benchStack(async () => downloadProgram(healthyIds(em, 1), directory)(), {
      config: emulatorConfig(em),
    });
    directory = path.join(stack.workDir, "evidence");
    try {
      const watch = watchEngineProcesses();
      const up = await timedUp(stack, { parallel: 4 });
      const usage = watch.stop();
      const { resources } = await stack.exportState();
      const size = resources.find((r) => r.type.endsWith("InvestigationPackageDownload"))?.outputs
        ?.sizeInBytes;
      return {
        providerPeakBytes: usage.provider.processes > 0 ? usage.provider.peakBytes : Number.NaN,
        packageBytes: typeof size === "number" ? size : Number.NaN,
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

/** A small and a large download, measured back to back. */
export interface MemoryPair {
  readonly small: DownloadMemoryRun;
  readonly large: DownloadMemoryRun;
  /** What went wrong with either run (its peak is then NaN: no figure). */
  readonly error?: string;
}

/** What {@link downloadMemoryPair} takes of the plan. */
export interface MemoryPairParams {
  timeScale: number;
  memory: { lifecycle: DownloadMemoryParams["lifecycle"]; smallBytes: number; largeBytes: number };
}

/** A run whose `up` failed or whose package came out smaller than asked: no figure. */
function checked(run: DownloadMemoryRun, paddingBytes: number): { run: DownloadMemoryRun; error?: string } {
  const error = run.error
    ? `the ${paddingBytes}-byte package: ${run.error}`
    : run.packageBytes >= paddingBytes
      ? undefined
      : `asked for ${paddingBytes} bytes of padding, the package has ${run.packageBytes}`;
  return error ? { run: { ...run, providerPeakBytes: Number.NaN }, error } : { run };
}

/** Pair `i`: the small and the large package back to back, alternating which goes first. */
export async function downloadMemoryPair(p: MemoryPairParams, i: number): Promise<MemoryPair> {
  const run = async (paddingBytes: number) =>
    checked(
      await runDownloadMemory({ paddingBytes, timeScale: p.timeScale, lifecycle: p.memory.lifecycle }),
      paddingBytes,
    );
  const { smallBytes, largeBytes } = p.memory;
  let small: Awaited<ReturnType<typeof run>>;
  let large: Awaited<ReturnType<typeof run>>;
  if (i % 2 === 0) {
    small = await run(smallBytes);
    large = await run(largeBytes);
  } else {
    large = await run(largeBytes);
    small = await run(smallBytes);
  }
  const error = [small.error, large.error].filter(Boolean).join("; ");
  return { small: small.run, large: large.run, ...(error ? { error } : {}) };
}
