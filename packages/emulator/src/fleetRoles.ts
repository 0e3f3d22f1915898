/**
 * Devices appended to the built-in fleet for device targeting (by tag, by computer name), and
 * `FLEET_ROLES`, which names every device a test relies on by the role it plays, so tests do not
 * hard-code names or list positions.
 */
import { deviceId } from "./deviceId";
import { SERVERS, type Seed, WORKSTATIONS } from "./fleetSeeds";

/** Domain of every built-in device's `computerDnsName`. */
export const FLEET_DOMAIN = "contoso.com";

/** Tag carried by the three healthy Windows devices of an emulated incident. */
export const INCIDENT_TAG = "incident-4711";

const REONBOARDED = "reimaged-ws-0024";

/**
 * Seeds appended after the first twenty (ids and order of earlier devices never change).
 * A device re-onboarded after a re-image keeps its name but gets a new id: the old record stays,
 * Inactive with an old `lastSeen`, as Defender keeps it until it ages out.
 */
export const ROLE_SEEDS: readonly Seed[] = [
  {
    name: "ir-ws-0021",
    os: "Windows11",
    version: "24H2",
    osBuild: 26100,
    tags: [INCIDENT_TAG, "Finance"],
    group: WORKSTATIONS,
    ip: "10.10.9.21",
    risk: "High",
  },
  {
    name: "ir-ws-0022",
    os: "Windows10",
    version: "22H2",
    osBuild: 19045,
    tags: [INCIDENT_TAG, "Finance"],
    group: WORKSTATIONS,
    ip: "10.10.9.22",
    risk: "Medium",
  },
  {
    name: "ir-srv-0023",
    os: "WindowsServer2022",
    version: "21H2",
    osBuild: 20348,
    tags: [INCIDENT_TAG, "Production"],
    group: SERVERS,
    ip: "10.0.1.23",
    risk: "High",
  },
  {
    name: REONBOARDED,
    idSeed: `${REONBOARDED}#before-reimage`,
    os: "Windows11",
    version: "23H2",
    osBuild: 22631,
    health: "Inactive",
    tags: ["Lab"],
    group: WORKSTATIONS,
    ip: "10.10.7.24",
    lastSeenHoursAgo: 24 * 45,
    firstSeenDaysAgo: 400,
  },
  {
    name: REONBOARDED,
    idSeed: `${REONBOARDED}#after-reimage`,
    os: "Windows11",
    version: "24H2",
    osBuild: 26100,
    tags: ["Lab"],
    group: WORKSTATIONS,
    ip: "10.10.7.25",
    lastSeenHoursAgo: 0.2,
    firstSeenDaysAgo: 44,
  },
];

/** A built-in device as tests name it. */
export interface FleetDeviceRef {
  readonly id: string;
  readonly computerDnsName: string;
}

function ref(name: string, idSeed: string = name): FleetDeviceRef {
  return { id: deviceId(idSeed), computerDnsName: `${name}.${FLEET_DOMAIN}` };
}

/** Devices of the built-in fleet by the role tests give them. */
export const FLEET_ROLES = {
  /** Inactive and offline: its collections stay Pending, then TimeOut. */
  offline: ref("kiosk-0016"),
  /** Online; its collections end Failed. */
  failing: ref("lab-ws-0017"),
  /** Windows 7: collect answers 400 OsPlatformNotSupported. */
  unsupported: ref("legacy-pc-0018"),
  /** Healthy devices in no special role (Windows 10, Windows 11, Server 2022, Linux, macOS). */
  healthy: [ref("fin-lt-0001"), ref("dev-ws-0003"), ref("dc01"), ref("lnx-web-01"), ref("design-mbp-01")],
  /** Every Inactive device (both offline). */
  inactive: [ref("kiosk-0016"), ref(REONBOARDED, `${REONBOARDED}#before-reimage`)],
  /** Three healthy Windows devices tagged {@link INCIDENT_TAG}, and that tag. */
  incident: {
    tag: INCIDENT_TAG,
    devices: [ref("ir-ws-0021"), ref("ir-ws-0022"), ref("ir-srv-0023")],
  },
  /** Two devices sharing one computerDnsName: the current one (Active, seen minutes ago) and the stale record. */
  reonboarded: {
    computerDnsName: `${REONBOARDED}.${FLEET_DOMAIN}`,
    active: ref(REONBOARDED, `${REONBOARDED}#after-reimage`),
    stale: ref(REONBOARDED, `${REONBOARDED}#before-reimage`),
  },
} as const;
