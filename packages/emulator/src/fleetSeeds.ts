/**
 * The seeds of the built-in fleet's first twenty devices. Their order and names fix the device ids
 * and list order that tests rely on: append new devices (in fleetRoles.ts), never reorder these.
 */
import type { DeviceBehavior } from "./types";

/** What a built-in device is made from; everything else is derived. */
export interface Seed {
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
  /** Days between first sighting and now. @default 200 + 7 per list position */
  firstSeenDaysAgo?: number;
  /** Seed of the id when several devices share a name (a re-onboarded device). @default name */
  idSeed?: string;
}

/** Device groups (`rbacGroupId`, `rbacGroupName`) of the built-in fleet. */
export const WORKSTATIONS: [number, string] = [4401, "Workstations"];
export const SERVERS: [number, string] = [4402, "Servers"];
export const LINUX: [number, string] = [4403, "Linux servers"];
export const MACS: [number, string] = [4404, "Mac fleet"];
export const LEGACY: [number, string] = [4405, "Legacy"];

/** The original twenty devices, in their original order. */
export const BASE_SEEDS: readonly Seed[] = [
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
