/**
 * The `Emulator` methods for response actions (isolation state, device files), built over the
 * shared context so the server only spreads them into the emulator object.
 */
import type { EmulatorContext } from "./context";
import { findDevice } from "./fleet";
import { isolationState } from "./isolationState";
import type { Device, Emulator } from "./types";

/** The methods of {@link Emulator} that this module implements. */
export type ResponseActionMethods = Pick<Emulator, "isolationOf" | "deviceFile" | "setDeviceFile">;

function deviceOf(ctx: EmulatorContext, idOrComputerDnsName: string): Device {
  const device = findDevice(ctx.fleet, idOrComputerDnsName);
  if (!device) throw new Error(`no device ${idOrComputerDnsName} in the fleet`);
  return device;
}

/** Builds the response-action methods of an emulator. */
export function responseActionMethods(ctx: EmulatorContext): ResponseActionMethods {
  return {
    isolationOf: (idOrName) => isolationState(ctx.store, deviceOf(ctx, idOrName).id),
    deviceFile: (idOrName, path) => ctx.files.read(deviceOf(ctx, idOrName), path),
    setDeviceFile: (idOrName, path, content) => ctx.files.write(deviceOf(ctx, idOrName), path, content),
  };
}
