/**
 * Wire types of the Defender for Endpoint API as this provider uses them. Unknown fields are kept: the
 * API adds and omits fields without notice.
 */

/** Status of a MachineAction. */
export type MachineActionStatus = "Pending" | "InProgress" | "Succeeded" | "Failed" | "TimeOut" | "Cancelled";

/** Every MachineAction status, in lifecycle order. */
export const MACHINE_ACTION_STATUSES: readonly MachineActionStatus[] = [
  "Pending",
  "InProgress",
  "Succeeded",
  "Failed",
  "TimeOut",
  "Cancelled",
];

/** Statuses after which an action never changes again. */
export const FINAL_STATUSES: ReadonlySet<MachineActionStatus> = new Set<MachineActionStatus>([
  "Succeeded",
  "Failed",
  "TimeOut",
  "Cancelled",
]);

/** Statuses of an action that is still running (and blocks a new collection on the same device). */
export const ACTIVE_STATUSES: ReadonlySet<MachineActionStatus> = new Set<MachineActionStatus>([
  "Pending",
  "InProgress",
]);

/** True when `status` is final (`Succeeded`, `Failed`, `TimeOut`, `Cancelled`). */
export function isFinalStatus(status: string | undefined | null): boolean {
  return FINAL_STATUSES.has(status as MachineActionStatus);
}

/** The action type this provider starts. */
export const COLLECT_INVESTIGATION_PACKAGE = "CollectInvestigationPackage";

/** A Defender machine action (`/api/machineactions/{id}`), normalised by `normalizeMachineAction`. */
export interface MachineAction {
  /** GUID of the action. */
  id: string;
  /** Action type, `CollectInvestigationPackage` here. */
  type: string;
  /** Status; treat unknown strings as non-final. */
  status: MachineActionStatus;
  /** Device id. */
  machineId: string;
  /** App id or UPN of the requestor. */
  requestor?: string | null;
  /** The `Comment` sent with the request. */
  requestorComment?: string | null;
  scope?: string | null;
  computerDnsName?: string | null;
  /** ISO date. */
  creationDateTimeUtc: string;
  /** ISO date or null; also accepted on the wire as `lastUpdateTimeUtc`. */
  lastUpdateDateTimeUtc?: string | null;
  cancellationRequestor?: string | null;
  cancellationComment?: string | null;
  cancellationDateTimeUtc?: string | null;
  externalId?: string | null;
  requestSource?: string | null;
  title?: string | null;
  troubleshootInfo?: string | null;
  errorHResult?: number | null;
  /** Undocumented or future fields, kept as received. */
  [extra: string]: unknown;
}

/** Health of a device's sensor as reported by the Machines API. */
export type MachineHealthStatus =
  | "Active"
  | "Inactive"
  | "ImpairedCommunication"
  | "NoSensorData"
  | "NoSensorDataImpairedCommunication"
  | "Unknown"
  | (string & {});

/** A device (`/api/machines/{id}`). Only the fields this provider uses are typed; others are kept. */
export interface Machine {
  /** 40 (sometimes 32) lowercase hex characters. */
  id: string;
  computerDnsName?: string | null;
  osPlatform?: string | null;
  version?: string | null;
  healthStatus?: MachineHealthStatus | null;
  onboardingStatus?: string | null;
  lastSeen?: string | null;
  machineTags?: string[] | null;
  rbacGroupId?: number | null;
  rbacGroupName?: string | null;
  aadDeviceId?: string | null;
  [extra: string]: unknown;
}

/** The OData collection envelope of list endpoints. */
export interface ODataCollection<T> {
  "@odata.context"?: string;
  value: T[];
}

/**
 * Normalises a MachineAction from the wire: accepts `lastUpdateTimeUtc` as `lastUpdateDateTimeUtc` and
 * keeps unknown fields. Returns undefined when the value is not an object with a string `id`.
 */
export function normalizeMachineAction(raw: unknown): MachineAction | undefined {
  if (raw === null || typeof raw !== "object" || typeof (raw as { id?: unknown }).id !== "string") {
    return undefined;
  }
  const action = { ...(raw as Record<string, unknown>) };
  if (action.lastUpdateDateTimeUtc === undefined && "lastUpdateTimeUtc" in action) {
    action.lastUpdateDateTimeUtc = action.lastUpdateTimeUtc;
  }
  return action as MachineAction;
}

/** Device ids: hex, 40 characters in every current example, 32 in some older documentation. */
export const MACHINE_ID_PATTERN = /^[0-9a-fA-F]{32,40}$/;

/** True when `id` looks like a Defender device id (hex, 32 to 40 characters). */
export function isValidMachineId(id: string): boolean {
  return MACHINE_ID_PATTERN.test(id);
}
