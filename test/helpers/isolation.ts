/**
 * What the isolation engine tests share: a program that isolates each device (`isolation-<i>`), and the
 * isolate and release requests the emulator recorded.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { DeviceIsolation } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { callsOf } from "pulumi-mde-harness";

/** Emulated seconds per real second: an isolation takes 1.5 s. */
export const ISOLATION_TIME_SCALE = 120;
/** Action lifecycle of the isolation tests, in emulated seconds. */
export const ISOLATION_LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

/** Options of {@link isolationProgram}. */
export interface IsolationProgramOptions {
  waitForCompletion?: boolean;
  releaseOnDelete?: boolean;
}

/** Isolates each device, exporting `ids`, `actionIds`, `isolated` and `statuses`. */
export function isolationProgram(ids: string[], options: IsolationProgramOptions = {}): PulumiFn {
  return async () => {
    const isolations = ids.map(
      (machineId, i) =>
        new DeviceIsolation(`isolation-${i}`, {
          machineId,
          comment: `IR-4711: contain device ${i}`,
          waitForCompletion: options.waitForCompletion ?? true,
          ...(options.releaseOnDelete !== undefined ? { releaseOnDelete: options.releaseOnDelete } : {}),
        }),
    );
    return {
      ids: isolations.map((i) => i.id),
      actionIds: isolations.map((i) => i.actionId),
      isolated: isolations.map((i) => i.isolated),
      statuses: isolations.map((i) => i.status),
    };
  };
}

/** POSTs of isolate and unisolate the emulator answered or dropped (not 429s, which created nothing). */
export function isolationPosts(em: Emulator): { isolates: number; releases: number } {
  const count = (route: "isolate" | "unisolate") =>
    callsOf(em, route).filter((c) => c.status !== 429 && c.status !== 503).length;
  return { isolates: count("isolate"), releases: count("unisolate") };
}
