/**
 * Scenario 11: a responder's runbook in one `up`. Per device a {@link DeviceIsolation}, an
 * {@link InvestigationPackageCollection} and a {@link LiveResponseFileCollection} of one known file, against
 * the emulator with its real (time-scaled) limits. Each family's POST rate against its own ceiling
 * (collect 100, isolate 100, live response 10 per minute), the 429s, and the files stored.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { DeviceIsolation, InvestigationPackageCollection, LiveResponseFileCollection } from "pulumi-mde";
import { type CallRecord, type Emulator, KNOWN_DEVICE_FILES } from "pulumi-mde-emulator";
import { emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { acceptedArrivals, busiestWindow, emulatedMinutes, minuteMs, sustainedRatio } from "./postTimeline";

/** The file each device gives up: small, on every Windows device of the emulator. */
export const RUNBOOK_FILE = KNOWN_DEVICE_FILES.windows.hosts;

/** The families a runbook posts to, with the route of their POST and their documented ceiling per minute. */
export const RUNBOOK_FAMILIES = [
  { family: "collect", route: "collect", perMinute: 100 },
  { family: "isolate", route: "isolate", perMinute: 100 },
  { family: "liveResponse", route: "liveResponse", perMinute: 10 },
] as const satisfies readonly { family: string; route: CallRecord["route"]; perMinute: number }[];

/** A family of {@link RUNBOOK_FAMILIES}. */
export type RunbookFamily = (typeof RUNBOOK_FAMILIES)[number]["family"];

/** Parameters of {@link runRunbook}. */
export interface RunbookParams {
  /** Devices in the runbook (three resources each). */
  n: number;
  parallel: number;
  timeScale: number;
}

/** One family's POSTs in a run. */
export interface FamilyFigures {
  /**
   * Its POST rate / its ceiling: with more accepted POSTs than one minute's ceiling, the throughput
   * scenario's `sustainedRatio`; with at most one minute's worth (collect and isolate at N = 100), the
   * busiest emulated minute / the POSTs the ceiling allows in it (min(N, ceiling)): 1 when every device's
   * POST landed within one minute, as a limiter running at the ceiling puts them; a POST held back by
   * anything else (a look-up, a starved engine slot) pushes the last ones past the minute and lowers it.
   */
  readonly rateRatio: number;
  /** Most accepted POSTs in any sliding emulated minute. */
  readonly busiestMinute: number;
  /** Emulated minutes from the first accepted POST to the last. */
  readonly spanMinutes: number;
  /** POSTs (any answer) per device. */
  readonly postsPerDevice: number;
}

/** Figures of one run. */
export interface RunbookRun {
  readonly families: Readonly<Record<RunbookFamily, FamilyFigures>>;
  /** 429 answers on any route. */
  readonly throttled: number;
  /** Resources created (in exported state) of the 3 n declared. */
  readonly created: number;
  readonly declared: number;
  /** Files stored whose SHA-256 is the device's own file's (read from the emulator). */
  readonly filesVerified: number;
  /** Real seconds of the `up`. */
  readonly upSeconds: number;
  readonly error?: string;
}

/** The runbook: for each device, isolate, collect the package, collect {@link RUNBOOK_FILE}. */
export function runbookProgram(machineIds: readonly string[], directory: string): PulumiFn {
  return async () => {
    machineIds.forEach((machineId, i) => {
      const comment = `IR-4711: bench runbook, device ${i}`;
      new DeviceIsolation(`isolate-${i}`, { machineId, comment });
      new InvestigationPackageCollection(`package-${i}`, { machineId, comment });
      new LiveResponseFileCollection(`files-${i}`, { machineId, comment, paths: [RUNBOOK_FILE], directory });
    });
    return {};
  };
}

/** A family's figures from the call record. */
export function familyFigures(
  calls: readonly CallRecord[],
  f: (typeof RUNBOOK_FAMILIES)[number],
  n: number,
  timeScale: number,
): FamilyFigures {
  const arrivals = acceptedArrivals(calls, f.route);
  const busiest = busiestWindow(arrivals, minuteMs(timeScale));
  const spanMinutes = emulatedMinutes(arrivals[0] ?? 0, arrivals.at(-1) ?? 0, timeScale);
  return {
    rateRatio:
      arrivals.length > f.perMinute
        ? sustainedRatio(arrivals, timeScale, f.perMinute)
        : busiest / Math.min(n, f.perMinute),
    busiestMinute: busiest,
    spanMinutes,
    postsPerDevice: calls.filter((c) => c.route === f.route).length / n,
  };
}

/** Stored files whose bytes hash to what the emulated device holds at that path. */
function verifiedFiles(em: Emulator, resources: readonly { outputs?: Record<string, unknown> }[]): number {
  let verified = 0;
  for (const r of resources) {
    const files = r.outputs?.files as { path: string; sha256?: string; localPath?: string }[] | undefined;
    const machineId = r.outputs?.machineId;
    for (const file of files ?? []) {
      if (!file.localPath || !file.sha256 || typeof machineId !== "string") continue;
      const expected = em.deviceFile(machineId, file.path);
      if (!expected) continue;
      const digest = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
      if (digest(expected) === file.sha256 && digest(readFileSync(file.localPath)) === file.sha256)
        verified++;
    }
  }
  return verified;
}

/** Deploys the runbook of `n` devices in one `up` and measures each family. */
export async function runRunbook(p: RunbookParams): Promise<RunbookRun> {
  const em = await startTestEmulator({ extraHealthyDevices: p.n, timeScale: p.timeScale });
  const directory = mkdtempSync(path.join(tmpdir(), "mde-bench-runbook-"));
  try {
    const stack = await benchStack(runbookProgram(healthyIds(em, p.n), directory), {
      config: emulatorConfig(em),
    });
    try {
      const up = await timedUp(stack, { parallel: p.parallel });
      const calls = em.calls();
      const families = Object.fromEntries(
        RUNBOOK_FAMILIES.map((f) => [f.family, familyFigures(calls, f, p.n, p.timeScale)]),
      ) as Record<RunbookFamily, FamilyFigures>;
      const resources = (await stack.exportState()).resources;
      return {
        families,
        throttled: calls.filter((c) => c.status === 429).length,
        created: resources.filter((r) => r.id).length,
        declared: 3 * p.n,
        filesVerified: verifiedFiles(
          em,
          resources.filter((r) => r.type.endsWith(":LiveResponseFileCollection")),
        ),
        upSeconds: up.seconds,
        ...(up.error ? { error: up.error } : {}),
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await em.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
