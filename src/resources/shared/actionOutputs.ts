/**
 * What every action resource stores: its inputs as checked, then what Defender says of its action. A
 * resource adds its own outputs (e.g. `isolated`) on top.
 */
import type { MachineAction } from "../../client/wireTypes";

/** Outputs of an action resource: `inputs`, the action's fields, `adopted`, and `extra` last. */
export function actionOutputs(
  inputs: { machineId: string; computerDnsName?: string | undefined },
  action: MachineAction,
  adopted: boolean,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const outs: Record<string, unknown> = {
    ...inputs,
    actionId: action.id,
    status: action.status,
    machineId: action.machineId || inputs.machineId,
    computerDnsName: action.computerDnsName,
    requestor: action.requestor,
    requestorComment: action.requestorComment,
    creationDateTimeUtc: action.creationDateTimeUtc,
    lastUpdateDateTimeUtc: action.lastUpdateDateTimeUtc,
    adopted,
    ...extra,
  };
  // Protobuf structs cannot carry `undefined`; an absent output reads as undefined anyway.
  for (const [key, value] of Object.entries(outs))
    if (value === undefined || value === null) delete outs[key];
  return outs;
}
