import * as pulumi from "@pulumi/pulumi";
import { buildMachineFilter } from "../client/machineFilter";
import type { Machine as WireMachine } from "../client/wireTypes";
import { CONFIG_KEYS } from "../settings/configKeys";
import { programError } from "./programError";

/** Arguments of {@link getMachines}: every criterion given must hold (they are combined with `and`). */
export interface GetMachinesArgs {
  /** Devices with this computer DNS name (compared without case), e.g. `ws-042.contoso.com`. */
  computerDnsName?: string;
  /** Devices carrying this tag, e.g. `incident-4711`. */
  tag?: string;
  /** Devices with this sensor health: `Active`, `Inactive`, `ImpairedCommunication`, `NoSensorData`, ... */
  healthStatus?: string;
  /** Devices on this platform: `Windows10`, `Windows11`, `WindowsServer2022`, `Linux`, `macOS`, ... */
  osPlatform?: string;
  /** Devices in this device group (its numeric ID). */
  rbacGroupId?: number;
  /**
   * Any other condition, as raw OData on the Machines API's filterable properties (e.g.
   * `riskScore eq 'High'`). It is kept inside parentheses; quote string values as `'...'`, doubling
   * any quote inside (`'o''brien'`).
   */
  filter?: string;
  /**
   * The connection profile to read through: a name in the stack config `mde:profiles` (its tenant and
   * credential). Unset: the stack's top-level `mde:*` settings.
   */
  profile?: string;
}

/** Arguments of {@link getMachinesOutput}: those of {@link GetMachinesArgs}, each an Input. */
export type GetMachinesOutputArgs = { [K in keyof GetMachinesArgs]?: pulumi.Input<GetMachinesArgs[K]> };

/** A device as {@link getMachines} returns it. Absent values are `null`. */
export interface Machine {
  /** Device ID (40 hex characters): what `InvestigationPackageCollection.machineId` takes. */
  id: string;
  computerDnsName: string | null;
  /** `Windows11`, `WindowsServer2022`, `Linux`, `macOS`, ... */
  osPlatform: string | null;
  /** `Active`, `Inactive`, `ImpairedCommunication`, `NoSensorData`, ... */
  healthStatus: string | null;
  /** `Onboarded`, ... */
  onboardingStatus: string | null;
  machineTags: string[];
  /** When the sensor last reported (ISO 8601, UTC). */
  lastSeen: string | null;
  /** Device group ID. */
  rbacGroupId: number | null;
}

/** Result of {@link getMachines}. */
export interface GetMachinesResult {
  /** The matching devices, by computer name then ID (so a program's resources keep their order). */
  machines: Machine[];
}

/**
 * The `mde:*` stack config of this program. The provider gets it through `configure`; a program
 * function reads it itself. Secrets arrive decrypted here; they go only into the settings.
 */
function programConfig(): Record<string, string | undefined> {
  const config = new pulumi.Config("mde");
  const values: Record<string, string | undefined> = {};
  for (const key of CONFIG_KEYS) {
    const value = config.get(key.slice("mde:".length));
    if (value !== undefined) values[key] = value;
  }
  return values;
}

/** A device as the Machines API sends it, as {@link getMachines} returns it (also the provider plugin's `getMachines`). */
export function toMachine(raw: WireMachine): Machine {
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    id: raw.id,
    computerDnsName: text(raw.computerDnsName),
    osPlatform: text(raw.osPlatform),
    healthStatus: text(raw.healthStatus),
    onboardingStatus: text(raw.onboardingStatus),
    machineTags: Array.isArray(raw.machineTags) ? raw.machineTags.filter((t) => typeof t === "string") : [],
    lastSeen: text(raw.lastSeen),
    rbacGroupId: typeof raw.rbacGroupId === "number" ? raw.rbacGroupId : null,
  };
}

/** The order of {@link getMachines}' result: by computer name, then ID. */
export function byNameThenId(a: Machine, b: Machine): number {
  return (a.computerDnsName ?? "").localeCompare(b.computerDnsName ?? "") || a.id.localeCompare(b.id);
}

/**
 * The Defender devices matching every criterion given (all devices when none is), read from the Machines
 * API in pages of 10000, so fleets of tens of thousands come back whole. Every value is quoted and
 * escaped: a name or tag with a quote cannot change the query.
 *
 * It runs in the program, at `pulumi preview` as well as `pulumi up` (it only reads), with the same
 * `mde:*` stack config and `AZURE_*`/`MDE_*` environment fallbacks as the resources, and the
 * `machines` rate budget (100/min, 1500/h). The program has its own budget, separate from the
 * provider's: both count against the application's quota.
 *
 * ## Example Usage
 *
 * ```ts
 * import { getMachines, InvestigationPackageCollection } from "pulumi-mde";
 *
 * const { machines } = await getMachines({ tag: "incident-4711", healthStatus: "Active" });
 * for (const m of machines) {
 *   new InvestigationPackageCollection(m.computerDnsName ?? m.id, { machineId: m.id, comment: "IR-4711" });
 * }
 * ```
 *
 * Its errors are one paragraph ending in their code, printed without a stack when not caught.
 *
 * @throws DefenderError `MDE_BAD_REQUEST` for an empty or ill-typed criterion or an unbalanced `filter`
 *   (before any request), `MDE_CONFIG_INVALID` for bad settings, or the API's error (e.g. `MDE_FORBIDDEN`
 *   without `Machine.Read.All`).
 */
export async function getMachines(args: GetMachinesArgs = {}): Promise<GetMachinesResult> {
  try {
    return await readMachines(args);
  } catch (error) {
    throw programError(error);
  }
}

async function readMachines(args: GetMachinesArgs): Promise<GetMachinesResult> {
  // Arguments first: a mistake in them needs no settings and no request.
  const { profile, ...criteria } = args;
  const filter = buildMachineFilter(criteria);
  // Loaded on first use, not when the program imports the package: the HTTP client and MSAL are only
  // needed here, and undici fails at import on a Node.js too old for it (requireNode says so first).
  require("../provider/requireNode");
  const { resolveSettings } =
    require("../settings/resolveSettings") as typeof import("../settings/resolveSettings");
  const { getDefenderClient } =
    require("../client/sharedClients") as typeof import("../client/sharedClients");
  const { listAllMachines } = require("../client/machineQuery") as typeof import("../client/machineQuery");
  const settings =
    profile === undefined
      ? resolveSettings(programConfig(), process.env)
      : (require("../settings/profiles") as typeof import("../settings/profiles")).resolveProfile(
          programConfig(),
          profile,
        );
  const machines = await listAllMachines(getDefenderClient(settings), filter);
  return { machines: machines.map(toMachine).sort(byNameThenId) };
}

/**
 * {@link getMachines} with Inputs (Outputs of other resources, secrets) as arguments: Pulumi's form for
 * functions whose arguments may not be known yet. It reads once every argument is known (also at
 * preview); the result is secret when an argument is.
 *
 * @example
 * ```ts
 * const incident = getMachinesOutput({ tag: config.require("incidentTag") });
 * export const deviceIds = incident.machines.apply((ms) => ms.map((m) => m.id));
 * ```
 */
export function getMachinesOutput(args: GetMachinesOutputArgs = {}): pulumi.Output<GetMachinesResult> {
  return pulumi.output(args).apply((resolved) => getMachines(resolved as GetMachinesArgs));
}
