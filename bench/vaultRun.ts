/**
 * Scenario 8b: one package from the emulator's link into a blob container in Azurite (on disk, so a large
 * package does not sit in Azurite's memory), through the provider on the real engine: the provider
 * process's peak memory, and the time its download takes beside a plain copy of the same bytes (link GET
 * piped into one Put Blob) made just before and just after it in the same run.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import {
  type Azurite,
  blobUrl,
  emulatorConfig,
  healthyIds,
  startAzurite,
  startTestEmulator,
} from "pulumi-mde-harness";
import { baselinePackage } from "./baselinePackage";
import { benchStack, timedUp } from "./benchStack";
import { watchEngineProcesses } from "./engineProcesses";
import { plainBlobCopy } from "./plainBlobCopy";
import { progress } from "./progress";

/** The container of every vault run. */
const CONTAINER = "evidence";

/** Parameters of {@link runVault}. */
export interface VaultRunParams {
  /** `packagePaddingBytes` of the emulator: the package is this plus a few KiB. */
  paddingBytes: number;
  timeScale: number;
  /** The emulator's collection lifecycle, emulated seconds. */
  lifecycle: { pendingSeconds: number; inProgressSeconds: number };
  /** Copy a package of the same size plainly before and after the provider's download. */
  plainCopies: boolean;
}

/** Figures of one vault run. */
export interface VaultRun {
  /** Peak resident set (`VmHWM`) of the dynamic-provider process, bytes. */
  readonly providerPeakBytes: number;
  /** Size of the package stored, bytes (from state). */
  readonly packageBytes: number;
  readonly upSeconds: number;
  /** Real seconds from the provider's first link GET to its manifest blob being listed. */
  readonly providerSeconds: number;
  /** Real seconds from the provider's last link GET's last byte to its manifest blob being listed. */
  readonly afterLastByteSeconds: number;
  /** User + system CPU seconds of the provider process during the `up`. */
  readonly providerCpuSeconds: number;
  /** Real seconds of each plain copy (before, after); empty when not asked. */
  readonly plainSeconds: readonly number[];
  /** Why the run gave no figures, when it did not. */
  readonly error?: string;
}

/** A program collecting from `machineId` and downloading its package into `containerUrl`. */
function vaultProgram(machineId: string, containerUrl: string): PulumiFn {
  return async () => {
    const collection = new InvestigationPackageCollection("device-0", {
      machineId,
      comment: "IR-4711: bench evidence into a container",
    });
    // Azurite enforces no immutability: without this the container is refused (as it should be).
    new InvestigationPackageDownload("package-0", {
      actionId: collection.id,
      blobContainerUrl: containerUrl,
      requireImmutableStorage: false,
    });
    return {};
  };
}

/**
 * Lists the container every `intervalMs` and keeps the real time at which a manifest blob was first
 * listed (the provider's last step): the end of its download, to within one interval.
 */
function watchForManifest(azurite: Azurite, intervalMs = 100) {
  let seenMs: number | undefined;
  let busy = false;
  const poll = async () => {
    if (busy || seenMs !== undefined) return;
    busy = true;
    try {
      const blobs = await azurite.listBlobs(CONTAINER, { prefix: "" });
      if (blobs.some((b) => b.name.endsWith(".manifest.json"))) seenMs = Date.now();
    } catch {
      // Azurite busy or a transient error: the next poll tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  return {
    stop(): number | undefined {
      clearInterval(timer);
      return seenMs;
    },
  };
}

/** A plain copy of a fresh link of the bench's own package into `name`. */
async function plainCopy(
  em: Emulator,
  azurite: Azurite,
  link: () => Promise<string>,
  name: string,
): Promise<number> {
  const copy = await plainBlobCopy({
    link: await link(),
    blobUrl: blobUrl(azurite.containerUrl(CONTAINER), name),
    storageToken: azurite.storageToken(),
    ca: em.caPem,
  });
  return copy.seconds;
}

/** Collects from one device and downloads its package into Azurite, timed and watched. */
export async function runVault(p: VaultRunParams): Promise<VaultRun> {
  const em = await startTestEmulator({
    extraHealthyDevices: 2,
    timeScale: p.timeScale,
    lifecycle: p.lifecycle,
    packagePaddingBytes: p.paddingBytes,
  });
  try {
    const azurite = await startAzurite({ caFrom: em, persistence: "disk" });
    try {
      const containerUrl = await azurite.createContainer(CONTAINER);
      const [deviceId, baselineDeviceId] = healthyIds(em, 2) as [string, string];
      const baseline = p.plainCopies ? await baselinePackage(em, baselineDeviceId) : undefined;
      try {
        const plainSeconds: number[] = [];
        if (baseline) plainSeconds.push(await plainCopy(em, azurite, baseline.link, "plain-before.zip"));
        // The plain copies live in the same container; the manifest watch looks for the provider's.
        const stack = await benchStack(vaultProgram(deviceId, containerUrl), { config: emulatorConfig(em) });
        try {
          const upStartMs = Date.now();
          const watch = watchEngineProcesses();
          const manifest = watchForManifest(azurite);
          const up = await timedUp(stack, { parallel: 4 });
          const usage = watch.stop();
          const manifestMs = manifest.stop();
          const gets = em.calls({ route: "download" }).filter((c) => c.startMs >= upStartMs);
          const firstGet = Math.min(...gets.map((c) => c.startMs));
          const lastByte = Math.max(...gets.map((c) => c.endMs));
          if (baseline) plainSeconds.push(await plainCopy(em, azurite, baseline.link, "plain-after.zip"));
          const { resources } = await stack.exportState();
          const size = resources.find((r) => r.type.endsWith("InvestigationPackageDownload"))?.outputs
            ?.sizeInBytes;
          const error =
            up.error ??
            (manifestMs === undefined || !Number.isFinite(firstGet)
              ? "no manifest blob or no link GET seen"
              : undefined);
          return {
            providerPeakBytes: usage.provider.processes > 0 ? usage.provider.peakBytes : Number.NaN,
            packageBytes: typeof size === "number" ? size : Number.NaN,
            upSeconds: up.seconds,
            providerSeconds: error ? Number.NaN : ((manifestMs as number) - firstGet) / 1000,
            afterLastByteSeconds: error ? Number.NaN : ((manifestMs as number) - lastByte) / 1000,
            providerCpuSeconds: usage.provider.cpuSeconds,
            plainSeconds,
            ...(error ? { error } : {}),
          };
        } finally {
          await stack.dispose();
        }
      } finally {
        await baseline?.close();
      }
    } finally {
      await azurite.stop();
    }
  } finally {
    await em.close();
  }
}

/** A small and a large package into the container, back to back; plain copies beside the large one. */
export interface VaultPair {
  readonly small: VaultRun;
  readonly large: VaultRun;
  /** What went wrong with either run (its figures are then NaN). */
  readonly error?: string;
}

/** What {@link vaultPair} takes of the plan. */
export interface VaultPairParams {
  timeScale: number;
  lifecycle: VaultRunParams["lifecycle"];
  smallBytes: number;
  largeBytes: number;
}

/** One progress line per run: its times, so a reader can see which way the load moved. */
function report(paddingBytes: number, run: VaultRun): void {
  const plain = run.plainSeconds.map((s) => s.toFixed(1)).join(" s, ");
  progress(
    `vault, ${paddingBytes} bytes: provider ${run.providerSeconds.toFixed(1)} s (${run.afterLastByteSeconds.toFixed(1)} s after the last byte), peak ${(run.providerPeakBytes / 2 ** 20).toFixed(0)} MiB${plain ? `; plain copy before and after: ${plain} s` : ""}`,
  );
}

/** A run whose `up` failed or whose package came out smaller than asked: no figures. */
function checked(run: VaultRun, paddingBytes: number): { run: VaultRun; error?: string } {
  const error = run.error
    ? `the ${paddingBytes}-byte package: ${run.error}`
    : run.packageBytes >= paddingBytes
      ? undefined
      : `asked for ${paddingBytes} bytes of padding, the package has ${run.packageBytes}`;
  const none = {
    providerPeakBytes: Number.NaN,
    providerSeconds: Number.NaN,
    afterLastByteSeconds: Number.NaN,
  };
  return error ? { run: { ...run, ...none }, error } : { run };
}

/** Pair `i`: the small and the large package, alternating which goes first. */
export async function vaultPair(p: VaultPairParams, i: number): Promise<VaultPair> {
  const run = async (paddingBytes: number, plainCopies: boolean) => {
    const result = await runVault({
      paddingBytes,
      timeScale: p.timeScale,
      lifecycle: p.lifecycle,
      plainCopies,
    });
    report(paddingBytes, result);
    return checked(result, paddingBytes);
  };
  let small: Awaited<ReturnType<typeof run>>;
  let large: Awaited<ReturnType<typeof run>>;
  if (i % 2 === 0) {
    small = await run(p.smallBytes, false);
    large = await run(p.largeBytes, true);
  } else {
    large = await run(p.largeBytes, true);
    small = await run(p.smallBytes, false);
  }
  const error = [small.error, large.error].filter(Boolean).join("; ");
  return { small: small.run, large: large.run, ...(error ? { error } : {}) };
}
