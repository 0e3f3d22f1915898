/**
 * The download scenarios' program: one collection per device and the download of its package into one
 * folder, as a responder's runbook declares them.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";

/** A program collecting from each device (`device-<i>`) and downloading each package (`package-<i>`) into `directory`. */
export function downloadProgram(machineIds: readonly string[], directory: string): PulumiFn {
  return async () => {
    machineIds.forEach((machineId, i) => {
      const collection = new InvestigationPackageCollection(`device-${i}`, {
        machineId,
        comment: `IR-4711: bench evidence, device ${i}`,
      });
      new InvestigationPackageDownload(`package-${i}`, { actionId: collection.id, directory });
    });
    return {};
  };
}
