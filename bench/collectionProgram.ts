/**
 * The Pulumi programs the bench deploys: one resource per device, ours, the no-op floor or the naive
 * baseline, with the same names and comments so runs differ only in the provider.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { InvestigationPackageCollection } from "pulumi-mde";
import { NaiveCollection } from "./naiveCollection";
import { NoopResource } from "./noopResource";

/** Which provider serves the resources. */
export type ProgramKind = "collection" | "noop" | "naive";

/** Where the naive provider posts, and with which token (never printed). */
export interface NaiveTarget {
  apiUrl: string;
  token: string;
}

function comment(i: number): string {
  return `IR-4711: bench sweep, device ${i}`;
}

/** Options of {@link collectionProgram}. */
export interface CollectionProgramOptions {
  /** Where the naive provider posts; required for `naive`. */
  naive?: NaiveTarget;
  /** Collections only: `waitForCompletion: true`, so `up` returns when each is final. @default false */
  waitForCompletion?: boolean;
}

/** A program declaring one resource of `kind` per machine ID. */
export function collectionProgram(
  kind: ProgramKind,
  machineIds: readonly string[],
  options: CollectionProgramOptions = {},
): PulumiFn {
  const { naive, waitForCompletion } = options;
  return async () => {
    machineIds.forEach((machineId, i) => {
      const name = `device-${i}`;
      if (kind === "collection") {
        new InvestigationPackageCollection(name, {
          machineId,
          comment: comment(i),
          ...(waitForCompletion ? { waitForCompletion } : {}),
        });
      } else if (kind === "noop") new NoopResource(name, { machineId, comment: comment(i) });
      else {
        if (!naive) throw new Error("the naive program needs an API URL and a token");
        new NaiveCollection(name, { ...naive, machineId, comment: comment(i) });
      }
    });
    return {};
  };
}
