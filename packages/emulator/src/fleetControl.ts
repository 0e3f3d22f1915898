/**
 * Run-time changes to the fleet, shared by the `Emulator` methods and the admin API: a device's
 * tags (so a test can change the tag set between two deployments) and devices that onboard later.
 */
import type { EmulatorContext } from "./context";
import { findDevice, normalizeFleet } from "./fleet";
import type { Device } from "./types";

/**
 * Replaces the `machineTags` of the device with this id or computerDnsName (onboarded or not).
 * @throws Error when no device matches or a tag is not a non-empty string
 */
export function setMachineTags(ctx: EmulatorContext, idOrComputerDnsName: string, tags: unknown): Device {
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string" && tag.trim() !== "")) {
    throw new Error("tags must be an array of non-empty strings");
  }
  const device = findDevice(ctx.fleet, idOrComputerDnsName);
  if (!device) throw new Error(`no device ${idOrComputerDnsName} in the fleet`);
  // Defender keeps one copy of each tag.
  device.machineTags = [...new Set(tags as string[])];
  return device;
}

/**
 * Adds a device that onboards `afterSeconds` emulated seconds from now (`behavior.onboardAfterSeconds`
 * when not given). The device gets the defaults of a fleet-file device.
 * @throws Error when the device is incomplete or its id is taken
 */
export function onboardDevice(ctx: EmulatorContext, partial: Partial<Device>, afterSeconds?: number): Device {
  const [device] = normalizeFleet([partial]);
  if (!device) throw new Error("no device given");
  if (ctx.fleet.some((d) => d.id === device.id))
    throw new Error(`a device with id ${device.id} already exists`);
  const delay = afterSeconds ?? device.behavior?.onboardAfterSeconds ?? 0;
  if (!Number.isFinite(delay) || delay < 0) throw new Error("afterSeconds must be a non-negative number");
  ctx.fleet.push(device);
  ctx.onboarding.schedule(device, delay);
  return device;
}

/** Schedules every device of a starting fleet that carries `behavior.onboardAfterSeconds`. */
export function scheduleInitialOnboarding(ctx: EmulatorContext): void {
  for (const device of ctx.fleet) {
    const delay = device.behavior?.onboardAfterSeconds;
    if (delay !== undefined) ctx.onboarding.schedule(device, delay);
  }
}
