/**
 * The notice of a visible take-over: a create that found, by its marker, an action this deployment did not
 * post (an interrupted run, or a resource let go and declared again unchanged) takes it over instead of
 * posting, sets `adopted`, and says so in the engine's output with the action's ID and creation time, so
 * old evidence is never mistaken for new.
 */
import type { MachineAction } from "../../client/wireTypes";
import { topLevelUrn, warnInEngineOutput } from "./engineLog";

/** What names the resource in the notice. */
export interface TakeOverSubject {
  /** The resource's class, e.g. `InvestigationPackageCollection`. */
  className: string;
  /** The resource's name in the program. */
  resourceName?: string | undefined;
  /** `project/stack`. */
  pulumiStack?: string | undefined;
  /** How to start a new action instead, e.g. "change `triggers`". */
  fresh: string;
}

/** The notice's text. */
export function takeOverText(subject: TakeOverSubject, action: MachineAction): string {
  return (
    `${subject.className} "${subject.resourceName ?? "?"}" took over action ${action.id} on device ${action.machineId}, ` +
    `created ${action.creationDateTimeUtc} (${action.status}): an earlier deployment posted it with this resource's marker ` +
    `(an interrupted run, or the resource declared again unchanged). Nothing new was posted; to start a new one, ${subject.fresh}.`
  );
}

/** Shows the notice in the engine's output, under the resource. */
export function noticeTakeOver(subject: TakeOverSubject, action: MachineAction): Promise<void> {
  const urn = topLevelUrn(
    subject.pulumiStack,
    `pulumi-nodejs:dynamic/mde:${subject.className}`,
    subject.resourceName,
  );
  return warnInEngineOutput(takeOverText(subject, action), urn);
}
