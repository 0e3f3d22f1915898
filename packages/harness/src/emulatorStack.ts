/**
 * Helpers for engine tests of the collection resource: an emulator with a fleet of the size a test
 * needs, and a stack whose `mde:*` config points the provider at it.
 */
import type { ConfigMap, PulumiFn } from "@pulumi/pulumi/automation";
import type { CallRecord, Device, Emulator, EmulatorOptions } from "pulumi-mde-emulator";
import { startEmulator } from "pulumi-mde-emulator";
import { createTestStack, type TestStack } from "./localStack";

/** A device that collects normally: online, Windows 10/11, collections succeed. */
export function isHealthy(device: Device): boolean {
  const b = device.behavior ?? {};
  return (
    device.healthStatus === "Active" &&
    b.offline !== true &&
    b.collectionOutcome !== "Failed" &&
    b.collectionSupported !== false &&
    /^Windows1[01]$/.test(device.osPlatform)
  );
}

/** `count` healthy devices cloned from the default fleet's first healthy one, with fresh IDs. */
export function healthyFleet(template: Device, count: number, offset = 0): Device[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return {
      ...template,
      id: (n + 1).toString(16).padStart(8, "0").repeat(5),
      computerDnsName: `ws-${String(n + 1).padStart(3, "0")}.exercise.test`,
      behavior: { ...(template.behavior ?? {}), offline: false, collectionOutcome: "Succeeded" },
    };
  });
}

let templateCache: Promise<Device> | undefined;

/** A healthy device of the default fleet, to clone. */
export function healthyTemplate(): Promise<Device> {
  templateCache ??= (async () => {
    const em = await startEmulator();
    try {
      const device = em.fleet.find(isHealthy);
      if (!device) throw new Error("the default fleet has no healthy Windows device");
      return device;
    } finally {
      await em.close();
    }
  })();
  return templateCache;
}

/** Options of {@link startTestEmulator}. */
export interface TestEmulatorOptions extends EmulatorOptions {
  /** Add this many healthy devices to the default fleet. @default 0 */
  extraHealthyDevices?: number;
}

/** Starts an emulator; `extraHealthyDevices` appends healthy devices to the default fleet. */
export async function startTestEmulator(options: TestEmulatorOptions = {}): Promise<Emulator> {
  const { extraHealthyDevices = 0, ...rest } = options;
  if (extraHealthyDevices > 0 && rest.fleet === undefined) {
    const base = await startEmulator();
    const fleet = [...base.fleet, ...healthyFleet(await healthyTemplate(), extraHealthyDevices, 1000)];
    await base.close();
    return startEmulator({ ...rest, fleet });
  }
  return startEmulator(rest);
}

/** Stack config that points the provider at the emulator with its default app (secret kept secret). */
export function emulatorConfig(em: Emulator, extra: ConfigMap = {}): ConfigMap {
  return { ...em.providerConfig(), ...extra };
}

/** A stack for `program` wired to the emulator. */
export function emulatorStack(
  em: Emulator,
  program: PulumiFn,
  opts: { config?: ConfigMap; env?: Record<string, string> } = {},
): Promise<TestStack> {
  return createTestStack({ program, config: emulatorConfig(em, opts.config), env: opts.env });
}

/** Calls of one route. */
export function callsOf(em: Emulator, route: CallRecord["route"]): CallRecord[] {
  return em.calls().filter((c) => c.route === route);
}

/** Highest number of requests of `route` that were in flight at once. */
export function maxInFlight(em: Emulator, route: CallRecord["route"]): number {
  return Math.max(0, ...callsOf(em, route).map((c) => c.concurrent));
}

/** The IDs of the healthy devices in the emulator's fleet. */
export function healthyIds(em: Emulator, count: number): string[] {
  const ids = em.fleet.filter(isHealthy).map((d) => d.id);
  if (ids.length < count)
    throw new Error(`the fleet has ${ids.length} healthy devices, the test needs ${count}`);
  return ids.slice(0, count);
}
