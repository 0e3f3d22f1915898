/**
 * Devices: the built-in fleet, loading one from JSON, and the API view of a device
 * (without emulator-only `behavior`).
 */
import { readFileSync } from "node:fs";
import { deviceId } from "./deviceId";
import { FLEET_DOMAIN, ROLE_SEEDS } from "./fleetRoles";
import { BASE_SEEDS } from "./fleetSeeds";
import { deterministicGuid } from "./tokenService";
import type { Device, DeviceBehavior } from "./types";

/** OS platforms that can collect an investigation package (Windows 10 1703+, 11, supported servers, Linux, macOS). */
export const COLLECTION_PLATFORMS: readonly string[] = [
  "Windows10",
  "Windows11",
  "WindowsServer2012R2",
  "WindowsServer2016",
  "WindowsServer2019",
  "WindowsServer2022",
  "WindowsServer2025",
  "Linux",
  "macOS",
];

export { deviceId } from "./deviceId";

/**
 * The built-in fleet: 25 devices of every supported OS family and health state, dated relative to
 * `nowMs`. The first twenty keep their order and ids; `FLEET_ROLES` (fleetRoles.ts) names the ones tests use.
 */
export function defaultFleet(nowMs: number = Date.now()): Device[] {
  return [...BASE_SEEDS, ...ROLE_SEEDS].map((seed, index) => {
    const idSeed = seed.idSeed ?? seed.name;
    const id = deviceId(idSeed);
    const isServer = seed.os.startsWith("WindowsServer") || seed.os === "Linux";
    const lastSeen = new Date(nowMs - (seed.lastSeenHoursAgo ?? 0.1 + index * 0.05) * 3_600_000);
    const device: Device = {
      id,
      computerDnsName: `${seed.name}.${FLEET_DOMAIN}`,
      firstSeen: new Date(nowMs - (seed.firstSeenDaysAgo ?? 200 + index * 7) * 86_400_000).toISOString(),
      lastSeen: lastSeen.toISOString(),
      osPlatform: seed.os,
      osVersion: seed.osVersion === undefined ? null : seed.osVersion,
      osProcessor: seed.os === "macOS" ? "arm64" : "x64",
      version: seed.version,
      osBuild: seed.osBuild,
      osArchitecture: seed.os === "macOS" ? "ARM64" : "64-bit",
      lastIpAddress: seed.ip,
      lastExternalIpAddress: `203.0.113.${10 + index}`,
      agentVersion: seed.os.startsWith("Windows") ? "10.8760.19041.4355" : "101.24052.0002",
      healthStatus: seed.health ?? "Active",
      onboardingStatus: "Onboarded",
      deviceValue: seed.value ?? "Normal",
      rbacGroupId: seed.group[0],
      rbacGroupName: seed.group[1],
      riskScore: seed.risk ?? "None",
      exposureLevel: seed.exposure ?? "Low",
      isAadJoined: !isServer,
      aadDeviceId: isServer ? null : deterministicGuid(`aad:${idSeed}`),
      machineTags: [...(seed.tags ?? [])],
      managedBy: isServer ? "MicrosoftDefenderForEndpoint" : "Intune",
      managedByStatus: "Success",
      ipAddresses: [
        { ipAddress: seed.ip, macAddress: macAddress(id), type: "Ethernet", operationalStatus: "Up" },
      ],
      vmMetadata: null,
      ...seed.extra,
    };
    if (seed.behavior) device.behavior = { ...seed.behavior };
    return device;
  });
}

function macAddress(id: string): string {
  return id.slice(0, 12).toUpperCase();
}

/**
 * Reads a fleet file (a JSON array of devices). Each device needs at least `computerDnsName`
 * and `osPlatform`; missing fields get plausible values and a missing `id` is derived from the name.
 */
export function loadFleet(path: string): Device[] {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`fleet file ${path} must hold a JSON array of devices`);
  return normalizeFleet(parsed as Partial<Device>[]);
}

/** Fills in missing fields and checks ids, so a hand-written fleet behaves like the built-in one. */
export function normalizeFleet(devices: Partial<Device>[]): Device[] {
  const now = new Date().toISOString();
  const seen = new Set<string>();
  return devices.map((partial, index) => {
    if (typeof partial.computerDnsName !== "string" || typeof partial.osPlatform !== "string") {
      throw new Error(`fleet device #${index} needs computerDnsName and osPlatform`);
    }
    const id = (partial.id ?? deviceId(partial.computerDnsName)).toLowerCase();
    if (!/^[0-9a-f]{32,40}$/.test(id))
      throw new Error(`fleet device #${index}: id must be 32-40 hex characters`);
    if (seen.has(id)) throw new Error(`fleet device #${index}: duplicate id ${id}`);
    seen.add(id);
    return {
      firstSeen: now,
      lastSeen: now,
      osVersion: null,
      osProcessor: "x64",
      version: "",
      osBuild: null,
      osArchitecture: "64-bit",
      lastIpAddress: "10.0.0.1",
      lastExternalIpAddress: "203.0.113.1",
      agentVersion: "10.8760.19041.4355",
      healthStatus: "Active",
      onboardingStatus: "Onboarded",
      deviceValue: "Normal",
      rbacGroupId: 0,
      rbacGroupName: "UnassignedGroup",
      riskScore: "None",
      exposureLevel: "Low",
      isAadJoined: false,
      aadDeviceId: null,
      machineTags: [],
      managedBy: "MicrosoftDefenderForEndpoint",
      managedByStatus: "Success",
      ...partial,
      id,
      computerDnsName: partial.computerDnsName,
      osPlatform: partial.osPlatform,
    } as Device;
  });
}

/** Behaviour of a device with defaults resolved. */
export function effectiveBehavior(device: Device): Required<Omit<DeviceBehavior, "onboardAfterSeconds">> {
  return {
    offline: device.behavior?.offline ?? device.healthStatus === "Inactive",
    collectionOutcome: device.behavior?.collectionOutcome ?? "Succeeded",
    collectionSupported:
      device.behavior?.collectionSupported ?? COLLECTION_PLATFORMS.includes(device.osPlatform),
  };
}

/** The device as the Machines API returns it. */
export function toApiMachine(device: Device): Record<string, unknown> {
  const { behavior: _behavior, ...machine } = device;
  return machine;
}

/**
 * The device with this id, or this computer DNS name (both case-insensitive). When several devices
 * share the name (a re-onboarded device and its stale record), the one seen last wins.
 */
export function findDevice(fleet: readonly Device[], idOrName: string): Device | undefined {
  const wanted = idOrName.toLowerCase();
  const byId = fleet.find((d) => d.id === wanted);
  if (byId) return byId;
  const named = fleet.filter((d) => d.computerDnsName.toLowerCase() === wanted);
  return named.reduce<Device | undefined>(
    (latest, d) =>
      latest === undefined || Date.parse(d.lastSeen) > Date.parse(latest.lastSeen) ? d : latest,
    undefined,
  );
}
