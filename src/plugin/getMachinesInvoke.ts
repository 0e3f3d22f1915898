/**
 * `mde:index:getMachines` as the plugin serves it: the same filter, query and result as the TypeScript
 * SDK's `getMachines`, run in the provider process with its settings (a `profile` argument picks a
 * connection profile, as for the resources).
 */
import { buildMachineFilter, type MachineCriteria } from "../client/machineFilter";
import { listAllMachines } from "../client/machineQuery";
import { getDefenderClient } from "../client/sharedClients";
import { currentSettings } from "../resources/shared/providerSettings";
import { byNameThenId, type GetMachinesResult, toMachine } from "../sdk/getMachines";

/** Reads the devices matching `args` (see the SDK's `getMachines`). Throws as it does. */
export async function invokeGetMachines(args: Record<string, unknown>): Promise<GetMachinesResult> {
  const { profile, ...criteria } = args;
  // Arguments first: a mistake in them needs no settings and no request.
  const filter = buildMachineFilter(criteria as MachineCriteria);
  const settings = currentSettings(typeof profile === "string" && profile !== "" ? profile : undefined);
  const machines = await listAllMachines(getDefenderClient(settings), filter);
  return { machines: machines.map(toMachine).sort(byNameThenId) };
}
