/**
 * Devices: the built-in fleet, loading one from JSON, and the API view of a device
 * (without emulator-only `behavior`).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
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

/** A device id: 40 lowercase hex characters, the same for the same seed. */
export function deviceId(seed: string): string {
  return createHash("sha1").update(`mde-emulator-device:${seed}`).digest("hex");
}

interface Seed {
  name: string;
  os: string;
  osVersion?: string | null;
  version: string;
  osBuild: number | null;
  health?: string;
  tags?: string[];
  group: [number, string];
  risk?: string;
  exposure?: string;
  value?: string;
  ip: string;
  extra?: Record<string, unknown>;
  behavior?: DeviceBehavior;
  lastSeenHoursAgo?: number;
}

const WORKSTATIONS: [number, string] = [4401, "Workstations"];
const SERVERS: [number, string] = [4402, "Servers"];
const LINUX: [number, string] = [4403, "Linux servers"];
const MACS: [number, string] = [4404, "Mac fleet"];
const LEGACY: [number, string] = [4405, "Legacy"];

const SEEDS: Seed[] = [
  {
    name: "fin-lt-0001",
    os: "Windows10",
    version: "22H2",
    osBuild: 19045,
    tags: ["Finance"],
    group: WORKSTATIONS,
    ip: "10.10.1.21",
    risk: "Low",
    exposure: "Medium",
  },
  {
    name: "hr-lt-0002",
    os: "Windows10",
    version: "22H2",
    osBuild: 19045,
    tags: ["HR"],
    group: WORKSTATIONS,
    ip: "10.10.1.22",
  },
  {
    name: "dev-ws-0003",
    os: "Windows11",
    version: "23H2",
    osBuild: 22631,
    tags: ["Developers"],
    group: WORKSTATIONS,
    ip: "10.10.2.13",
    risk: "Medium",
    exposure: "High",
  },
  {
    name: "exec-lt-0004",
    os: "Windows11",
    version: "24H2",
    osBuild: 26100,
    tags: ["VIP", "Executives"],
    group: WORKSTATIONS,
    ip: "10.10.3.4",
    value: "High",
    risk: "High",
  },
  {
    name: "sales-lt-0005",
    os: "Windows11",
    version: "23H2",
    osBuild: 22631,
    health: "ImpairedCommunication",
    tags: ["Sales"],
    group: WORKSTATIONS,
    ip: "10.10.4.5",
    lastSeenHoursAgo: 20,
  },
  {
    name: "dc01",
    os: "WindowsServer2022",
    version: "21H2",
    osBuild: 20348,
    tags: ["Domain Controllers", "Tier0"],
    group: SERVERS,
    ip: "10.0.0.10",
    value: "High",
  },
  {
    name: "dc02",
    os: "WindowsServer2019",
    version: "1809",
    osBuild: 17763,
    tags: ["Domain Controllers", "Tier0"],
    group: SERVERS,
    ip: "10.0.0.11",
    value: "High",
  },
  {
    name: "sql01",
    os: "WindowsServer2019",
    version: "1809",
    osBuild: 17763,
    tags: ["SQL", "Production"],
    group: SERVERS,
    ip: "10.0.1.20",
    risk: "Medium",
  },
  {
    name: "web01",
    os: "WindowsServer2022",
    version: "21H2",
    osBuild: 20348,
    tags: ["Web", "Production", "DMZ"],
    group: SERVERS,
    ip: "172.16.0.10",
    exposure: "High",
  },
  {
    name: "file01",
    os: "WindowsServer2016",
    version: "1607",
    osBuild: 14393,
    health: "NoSensorData",
    tags: ["File"],
    group: SERVERS,
    ip: "10.0.1.30",
  },
  {
    name: "app02",
    os: "WindowsServer2022",
    version: "21H2",
    osBuild: 20348,
    tags: ["Production"],
    group: SERVERS,
    ip: "10.0.1.40",
  },
  {
    name: "lnx-web-01",
    os: "Linux",
    osVersion: "22.04",
    version: "22.04",
    osBuild: null,
    tags: ["Web", "Production"],
    group: LINUX,
    ip: "10.0.2.10",
    extra: { osDistribution: "Ubuntu" },
  },
  {
    name: "lnx-db-01",
    os: "Linux",
    osVersion: "9.3",
    version: "9.3",
    osBuild: null,
    tags: ["Database", "Production"],
    group: LINUX,
    ip: "10.0.2.20",
    value: "High",
    extra: { osDistribution: "RHEL" },
  },
  {
    name: "lnx-ci-01",
    os: "Linux",
    osVersion: "20.04",
    version: "20.04",
    osBuild: null,
    tags: ["CI"],
    group: LINUX,
    ip: "10.0.2.30",
    extra: { osDistribution: "Ubuntu" },
  },
  {
    name: "design-mbp-01",
    os: "macOS",
    osVersion: "14.5",
    version: "14.5",
    osBuild: null,
    tags: ["Design"],
    group: MACS,
    ip: "10.10.5.11",
  },
  {
    name: "exec-mbp-02",
    os: "macOS",
    osVersion: "13.6",
    version: "13.6",
    osBuild: null,
    tags: ["VIP"],
    group: MACS,
    ip: "10.10.5.12",
    value: "High",
  },
  // Emulated behaviours the tests rely on: offline, failing, unsupported.
  {
    name: "kiosk-0016",
    os: "Windows10",
    version: "21H2",
    osBuild: 19044,
    health: "Inactive",
    tags: ["Kiosk"],
    group: WORKSTATIONS,
    ip: "10.10.6.16",
    lastSeenHoursAgo: 24 * 12,
    behavior: { offline: true },
  },
  {
    name: "lab-ws-0017",
    os: "Windows11",
    version: "23H2",
    osBuild: 22631,
    tags: ["Lab"],
    group: WORKSTATIONS,
    ip: "10.10.7.17",
    behavior: { collectionOutcome: "Failed" },
  },
  {
    name: "legacy-pc-0018",
    os: "Windows7",
    osVersion: null,
    version: "7601",
    osBuild: 7601,
    tags: ["Legacy"],
    group: LEGACY,
    ip: "10.10.8.18",
    risk: "High",
    exposure: "High",
  },
  {
    name: "travel-lt-0019",
    os: "Windows10",
    version: "22H2",
    osBuild: 19045,
    health: "ImpairedCommunication",
    tags: ["Sales", "Travel"],
    group: WORKSTATIONS,
    ip: "192.168.1.19",
    lastSeenHoursAgo: 6,
  },
];

const DOMAIN = "contoso.com";

/** The built-in fleet: 20 devices of every supported OS family and health state, dated relative to `nowMs`. */
export function defaultFleet(nowMs: number = Date.now()): Device[] {
  return SEEDS.map((seed, index) => {
    const id = deviceId(seed.name);
    const isServer = seed.os.startsWith("WindowsServer") || seed.os === "Linux";
    const lastSeen = new Date(nowMs - (seed.lastSeenHoursAgo ?? 0.1 + index * 0.05) * 3_600_000);
    const device: Device = {
      id,
      computerDnsName: `${seed.name}.${DOMAIN}`,
      firstSeen: new Date(nowMs - (200 + index * 7) * 86_400_000).toISOString(),
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
      aadDeviceId: isServer ? null : deterministicGuid(`aad:${seed.name}`),
      machineTags: seed.tags ?? [],
      managedBy: isServer ? "MicrosoftDefenderForEndpoint" : "Intune",
      managedByStatus: "Success",
      ipAddresses: [
        { ipAddress: seed.ip, macAddress: macAddress(id), type: "Ethernet", operationalStatus: "Up" },
      ],
      vmMetadata: null,
      ...seed.extra,
    };
    if (seed.behavior) device.behavior = seed.behavior;
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
export function effectiveBehavior(device: Device): Required<DeviceBehavior> {
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
