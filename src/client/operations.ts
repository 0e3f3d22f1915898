/**
 * The operations table: every Defender API call the provider makes, with its rate-limit family, method,
 * whether repeating it is harmless, its path, the permissions that allow it and what it does in words.
 * Adding an endpoint is one row here and one method on the client.
 */
import type { OperationInfo } from "../core/errors";
import type { EndpointFamily } from "../limits/familyBudget";

/** One row of the table. */
export interface Operation extends OperationInfo {
  /** Rate-limit family: the API counts calls per endpoint family. */
  family: EndpointFamily;
  /** HTTP method. */
  method: "GET" | "POST";
  /** Whether sending it twice has the effect of sending it once (reads, cancel). */
  idempotent: boolean;
  /** Path under the API endpoint; `{id}` is replaced by the encoded id. */
  path: string;
}

const READ = ["Machine.Read.All", "Machine.ReadWrite.All"] as const;
/** Any response-action permission allows cancelling, for an application and a signed-in user alike. */
const RESPONSE_ACTIONS = [
  "Machine.CollectForensics",
  "Machine.Isolate",
  "Machine.RestrictExecution",
  "Machine.Scan",
  "Machine.Offboard",
  "Machine.StopAndQuarantine",
  "Machine.LiveResponse",
] as const;
const DELEGATED_READ = ["Machine.Read", "Machine.ReadWrite"] as const;

/** Every operation, by name. */
export const OPERATIONS = {
  collect: {
    name: "collect",
    family: "collect",
    method: "POST",
    idempotent: false,
    path: "/api/machines/{id}/collectInvestigationPackage",
    permissions: ["Machine.CollectForensics"],
    delegatedPermissions: ["Machine.CollectForensics"],
    label: "collecting an investigation package",
  },
  getAction: {
    name: "getAction",
    family: "actions",
    method: "GET",
    idempotent: true,
    path: "/api/machineactions/{id}",
    permissions: READ,
    delegatedPermissions: DELEGATED_READ,
    label: "reading a machine action",
  },
  listActions: {
    name: "listActions",
    family: "actions",
    method: "GET",
    idempotent: true,
    path: "/api/machineactions",
    permissions: READ,
    delegatedPermissions: DELEGATED_READ,
    label: "listing machine actions",
  },
  cancel: {
    name: "cancel",
    family: "actions",
    method: "POST",
    // Cancelling twice has the effect of cancelling once.
    idempotent: true,
    path: "/api/machineactions/{id}/cancel",
    permissions: RESPONSE_ACTIONS,
    // Microsoft lists the same seven response permissions for a signed-in user.
    delegatedPermissions: RESPONSE_ACTIONS,
    label: "cancelling a machine action",
  },
  getMachine: {
    name: "getMachine",
    family: "machines",
    method: "GET",
    idempotent: true,
    path: "/api/machines/{id}",
    permissions: READ,
    delegatedPermissions: DELEGATED_READ,
    label: "reading a device",
  },
  listMachines: {
    name: "listMachines",
    family: "machines",
    method: "GET",
    idempotent: true,
    path: "/api/machines",
    permissions: READ,
    delegatedPermissions: DELEGATED_READ,
    label: "listing devices",
  },
  getPackageUri: {
    name: "getPackageUri",
    family: "packageUri",
    method: "GET",
    idempotent: true,
    path: "/api/machineactions/{id}/GetPackageUri",
    permissions: ["Machine.ReadWrite.All"],
    // Microsoft's page names Machine.CollectForensics for a signed-in user; older pages name ReadWrite.
    delegatedPermissions: ["Machine.CollectForensics", "Machine.ReadWrite"],
    label: "getting the investigation package link",
  },
} as const satisfies Record<string, Operation>;

/** Name of an operation. */
export type OperationName = keyof typeof OPERATIONS;

/** The path of `operation` with `id` encoded into it. */
export function operationPath(operation: Operation, id?: string): string {
  return id === undefined ? operation.path : operation.path.replace("{id}", encodeURIComponent(id));
}
