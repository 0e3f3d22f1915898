/**
 * Device queries on the Machines API, shared by `getMachines` (program side) and the collection's create
 * (provider side): every device matching a filter, paged for fleets of tens of thousands, and the one
 * device a collection targets, by computer name or ID, waiting for it to onboard when asked.
 *
 * Every call goes through the client, so it runs in the `machines` family budget (100/min, 1500/h).
 */
import { sleep } from "../core/sleep";
import type { DefenderClient } from "./defenderClient";
import { MAX_LIST_TOP } from "./defenderClient";
import { type DeviceKey, deviceAmbiguous, deviceNotActive, deviceNotFound } from "./deviceTargetErrors";
import { buildMachineFilter } from "./machineFilter";
import type { Machine } from "./wireTypes";

/** What device queries need of the client (a fake in unit tests). */
export type MachineReader = Pick<DefenderClient, "listMachines" | "getMachine">;

/** Default of {@link ListAllMachinesOptions.pageSize}: the largest `$top` the API accepts. */
export const DEFAULT_MACHINE_PAGE_SIZE = MAX_LIST_TOP;

/**
 * Pause between lookups while waiting for a device to appear, in unscaled milliseconds. A device onboards
 * within minutes; two lookups a minute per waiting resource leave most of the `machines` budget to others.
 */
export const DEVICE_POLL_INTERVAL_IN_MS = 30_000;

/** Options of {@link listAllMachines}. */
export interface ListAllMachinesOptions {
  /** `$top` of each page (at most 10000). @default DEFAULT_MACHINE_PAGE_SIZE (10000) */
  pageSize?: number;
  /** Aborts the query between and during pages. */
  signal?: AbortSignal;
}

/**
 * Every device matching `filter` (all devices when undefined), page by page (`$top`, `$skip`) until a page
 * comes back short. A device seen on two pages (the fleet changed while paging) is kept once; a page
 * that adds nothing new ends the query, so a server ignoring `$skip` cannot loop it forever.
 */
export async function listAllMachines(
  reader: MachineReader,
  filter: string | undefined,
  options: ListAllMachinesOptions = {},
): Promise<Machine[]> {
  const top = Math.min(Math.max(1, Math.floor(options.pageSize ?? DEFAULT_MACHINE_PAGE_SIZE)), MAX_LIST_TOP);
  const byId = new Map<string, Machine>();
  for (let skip = 0; ; skip += top) {
    const page = await reader.listMachines(filter, {
      top,
      ...(skip > 0 ? { skip } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const before = byId.size;
    for (const machine of page) if (!byId.has(machine.id)) byId.set(machine.id, machine);
    if (page.length < top || byId.size === before) break;
  }
  return [...byId.values()];
}

/**
 * The devices named `computerDnsName` (case-insensitive). Results are checked again here: a collection
 * must never target a device whose name does not match, whatever a proxy or API change does to `$filter`.
 */
export async function findMachinesByName(
  reader: MachineReader,
  computerDnsName: string,
  options: ListAllMachinesOptions = {},
): Promise<Machine[]> {
  const wanted = computerDnsName.trim().toLowerCase();
  const found = await listAllMachines(reader, buildMachineFilter({ computerDnsName: wanted }), options);
  return found.filter((m) => (m.computerDnsName ?? "").toLowerCase() === wanted);
}

/** Options of {@link resolveMachine}. */
export interface ResolveMachineOptions {
  /** How long to wait for a device that is not there yet, in minutes. @default 0 (look once) */
  waitInMinutes?: number;
  /** Divides every wait (emulator exercises). @default 1 */
  timeScale?: number;
  /** Pause between lookups, in unscaled milliseconds. @default DEVICE_POLL_INTERVAL_IN_MS (30000) */
  pollIntervalInMs?: number;
  /** `true`: a device whose `healthStatus` is not `Active` is an error. @default false */
  requireActive?: boolean;
  /** Stops waiting. */
  signal?: AbortSignal;
}

/**
 * The one device named by `key`: by computer DNS name (case-insensitive, several matches are an error
 * listing each) or by device ID. Waits up to `waitInMinutes` for it to appear, looking again every
 * `pollIntervalInMs`.
 * @throws DefenderError `MDE_NOT_FOUND` when no device appeared in time; `MDE_BAD_REQUEST` with
 *   `details.reason` `deviceAmbiguous` (several devices share the name) or `deviceNotActive`
 *   (`requireActive` and the device is not `Active`).
 */
export async function resolveMachine(
  reader: MachineReader,
  key: DeviceKey,
  options: ResolveMachineOptions = {},
): Promise<Machine> {
  const signal = options.signal ? { signal: options.signal } : {};
  const lookUp = async (): Promise<Machine[]> => {
    if ("computerDnsName" in key) return findMachinesByName(reader, key.computerDnsName, signal);
    const machine = await reader.getMachine(key.machineId, signal);
    return machine ? [machine] : [];
  };
  const waitInMinutes = options.waitInMinutes ?? 0;
  const found = await lookUpUntilFound(lookUp, { ...options, waitInMinutes });
  if (found.length === 0) throw deviceNotFound(key, waitInMinutes);
  if (found.length > 1) throw deviceAmbiguous("computerDnsName" in key ? key.computerDnsName : "", found);
  const machine = found[0] as Machine;
  if (options.requireActive && machine.healthStatus !== "Active") throw deviceNotActive(machine);
  return machine;
}

/**
 * Runs `lookUp` until it finds something or `waitInMinutes` (scaled by `timeScale`) has passed, with one
 * last look at the deadline. Not a retry loop: a failed lookup is not retried here (the client's one
 * retry loop has already had its go); an empty answer is waited on.
 */
async function lookUpUntilFound(
  lookUp: () => Promise<Machine[]>,
  options: ResolveMachineOptions & { waitInMinutes: number },
): Promise<Machine[]> {
  const scale = options.timeScale ?? 1;
  const deadline = Date.now() + (options.waitInMinutes * 60_000) / scale;
  const interval = (options.pollIntervalInMs ?? DEVICE_POLL_INTERVAL_IN_MS) / scale;
  for (;;) {
    const found = await lookUp();
    const left = deadline - Date.now();
    if (found.length > 0 || left <= 0) return found;
    await sleep(Math.min(interval, left), options.signal);
  }
}
