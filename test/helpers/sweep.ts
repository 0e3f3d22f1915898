/**
 * The sweep program engine tests share: one collection per device, on the library as users install it.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { InvestigationPackageCollection } from "pulumi-mde";

/** Options of {@link sweepProgram}. */
export interface SweepOptions {
  /** Comment of the collection on device `i`. @default `IR-1000: sweep device ${i}` */
  comment?: (i: number) => string;
  /** Passed to every collection. @default false */
  waitForCompletion?: boolean;
  /** `adoptActionId` of the collection on device `i`, where given. @default {} */
  adopt?: Record<number, string>;
}

/** A program that collects from each device (resource `device-<i>`), exporting the action IDs as `ids`. */
export function sweepProgram(ids: string[], options: SweepOptions = {}): PulumiFn {
  const {
    comment = (i: number) => `IR-1000: sweep device ${i}`,
    waitForCompletion = false,
    adopt = {},
  } = options;
  return async () => {
    const collections = ids.map(
      (machineId, i) =>
        new InvestigationPackageCollection(`device-${i}`, {
          machineId,
          comment: comment(i),
          waitForCompletion,
          ...(adopt[i] ? { adoptActionId: adopt[i] } : {}),
        }),
    );
    return { ids: collections.map((c) => c.actionId) };
  };
}
