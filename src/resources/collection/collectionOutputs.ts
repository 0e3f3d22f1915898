/**
 * What a collection stores, and the partial-failure error of a collection that exists but did not end well.
 */
import type { MachineAction } from "../../client/wireTypes";
import { actionOutputs } from "../shared/actionOutputs";
import { ResourceIncompleteError } from "../shared/incompleteError";
import type { CollectionInputs } from "./collectionInputs";

/**
 * A collection whose action exists but did not end well (Failed, TimeOut, Cancelled, or still running at
 * the timeout): kept in state with its action ID, reported as failed.
 */
export class CollectionIncompleteError extends ResourceIncompleteError {
  override readonly name = "CollectionIncompleteError";
  override readonly code = "MDE_COLLECTION_INCOMPLETE";
}

/** Why an action did not succeed, and where to look. */
export function statusHint(action: MachineAction): string {
  switch (action.status) {
    case "Failed":
      return `the device reported a failure${action.troubleshootInfo ? ` (${String(action.troubleshootInfo)})` : ""}; check the action in Defender's action center and the device's sensor health (collection can fail on a low battery or a metered connection)`;
    case "TimeOut":
      return "the device did not pick the action up in time; it is probably offline (check healthStatus and lastSeen of the device)";
    case "Cancelled":
      return `it was cancelled${action.cancellationRequestor ? ` by ${action.cancellationRequestor}` : ""}${action.cancellationComment ? ` ("${action.cancellationComment}")` : ""}`;
    default:
      return `it is still ${action.status}`;
  }
}

/**
 * What a collection stores (the shared actionOutputs), keeping the computer name it was declared or last
 * seen with while Defender reports none (an action is often nameless while Pending): a name-targeted
 * resource compares its name with this output, and a missing one would read as a change.
 */
export function collectionOutputs(
  inputs: CollectionInputs,
  action: MachineAction,
  adopted: boolean,
): Record<string, unknown> {
  const outs = actionOutputs(inputs, action, adopted);
  if (outs.computerDnsName === undefined && inputs.computerDnsName)
    outs.computerDnsName = inputs.computerDnsName;
  return outs;
}
