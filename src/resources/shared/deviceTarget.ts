/**
 * The device an action resource acts on, settled at create before anything is posted: a `computerDnsName`
 * is resolved to its device ID through the Machines API (waiting `deviceWaitInMinutes` for a device still
 * onboarding), and with `requireActiveDevice` the device must be Active. The resolved ID is the
 * `machineId` output; later operations read it from state.
 */
import { resolveMachine } from "../../client/machineQuery";
import { getDefenderClient } from "../../client/sharedClients";
import type { Settings } from "../../settings/resolveSettings";
import type { DeviceTargetInputs } from "./deviceTargetInputs";

/** Inputs that name a device: `machineId` is empty while the device is named by `computerDnsName`. */
export type TargetedInputs = DeviceTargetInputs & { machineId: string };

/**
 * The inputs with `machineId` set to the device to collect from. Looks the device up only when it must:
 * named by `computerDnsName`, or with `requireActiveDevice` or `deviceWaitInMinutes`; a plain `machineId`
 * costs no call.
 * @throws DefenderError `MDE_NOT_FOUND` (no such device, or none appeared in time), `MDE_BAD_REQUEST` with
 *   `details.reason` `deviceAmbiguous` or `deviceNotActive`. Nothing has been posted then.
 */
export async function resolveTarget<T extends TargetedInputs>(settings: Settings, inputs: T): Promise<T> {
  const byName = inputs.computerDnsName !== undefined && inputs.machineId === "";
  if (!byName && !inputs.requireActiveDevice && inputs.deviceWaitInMinutes <= 0) return inputs;
  const machine = await resolveMachine(
    getDefenderClient(settings),
    byName ? { computerDnsName: inputs.computerDnsName as string } : { machineId: inputs.machineId },
    {
      waitInMinutes: inputs.deviceWaitInMinutes,
      timeScale: settings.timeScale,
      requireActive: inputs.requireActiveDevice,
    },
  );
  return { ...inputs, machineId: machine.id.toLowerCase() };
}

/**
 * The inputs of an update with the device ID it was created with: a resource named by `computerDnsName`
 * has no `machineId` input, and its resolved ID (in the old outputs) must stay its output.
 */
export function withStoredTarget<T extends TargetedInputs>(inputs: T, olds: Record<string, unknown>): T {
  if (inputs.machineId !== "" || typeof olds.machineId !== "string") return inputs;
  return { ...inputs, machineId: olds.machineId };
}
