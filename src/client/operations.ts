/**
 * The operations table: every Defender API call the provider makes, with its rate-limit family, method,
 * whether repeating it is harmless, its path, the permissions that allow it and what it does in words.
 * Adding an endpoint is one row here and one method on the client.
 */
import type { OperationInfo } from "../core/errors";
import type { EndpointFamily } from "../limits/familyBudget";

/** What a row that starts a machine action posts: the poster (actionPoster.ts) needs nothing else. */
export interface ActionPost {
  /** The MachineAction `type` the API creates, e.g. `CollectInvestigationPackage`. */
  type: string;
  /** What one such action is called in messages: "collection", "isolation". */
  noun: string;
}

/** One row of the table. */
export interface Operation extends OperationInfo {
  /** For a POST that starts a machine action on a device: what it creates. */
  action?: ActionPost;
  /**
   * The Defender role permission a signed-in user needs, as Microsoft's API pages name it.
   * @default "View data" (reads)
   */
  userRole?: string;
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
const ISOLATE = ["Machine.Isolate"] as const;
/** Collecting and the package link document "Alerts investigation"; a custom role's narrower permission also allows them. */
const INVESTIGATION_ROLE =
  '"Alerts investigation" (a custom role may grant "Collect investigation package" instead)';
const REMEDIATION_ROLE = '"Active remediation actions"';
const LIVE_RESPONSE_ROLE = '"Advanced live response" (Live response capabilities: Advanced)';
const LIVE_RESPONSE = ["Machine.LiveResponse"] as const;

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
    userRole: INVESTIGATION_ROLE,
    action: { type: "CollectInvestigationPackage", noun: "collection" },
  },
  isolate: {
    name: "isolate",
    family: "isolate",
    method: "POST",
    idempotent: false,
    path: "/api/machines/{id}/isolate",
    permissions: ISOLATE,
    delegatedPermissions: ISOLATE,
    label: "isolating a device",
    userRole: REMEDIATION_ROLE,
    action: { type: "Isolate", noun: "isolation" },
  },
  unisolate: {
    name: "unisolate",
    // Isolate and release share one budget: they act on the same state and must never cross.
    family: "isolate",
    method: "POST",
    idempotent: false,
    path: "/api/machines/{id}/unisolate",
    permissions: ISOLATE,
    delegatedPermissions: ISOLATE,
    label: "releasing a device from isolation",
    userRole: REMEDIATION_ROLE,
    action: { type: "Unisolate", noun: "release from isolation" },
  },
  runLiveResponse: {
    name: "runLiveResponse",
    family: "liveResponse",
    method: "POST",
    idempotent: false,
    path: "/api/machines/{id}/runliveresponse",
    permissions: LIVE_RESPONSE,
    delegatedPermissions: LIVE_RESPONSE,
    label: "running a live response session",
    userRole: LIVE_RESPONSE_ROLE,
    action: { type: "LiveResponse", noun: "live response session" },
  },
  getLiveResponseLink: {
    name: "getLiveResponseLink",
    family: "actions",
    method: "GET",
    idempotent: true,
    path: "/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index={index})",
    // As for the package link, Microsoft's page names Machine.ReadWrite.All for an application.
    permissions: ["Machine.ReadWrite.All"],
    delegatedPermissions: LIVE_RESPONSE,
    label: "getting a live response result link",
    userRole: LIVE_RESPONSE_ROLE,
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
    // Undocumented for users; cancelling is a response action like collecting.
    userRole: '"Alerts investigation" or "Active remediation actions"',
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
    userRole: INVESTIGATION_ROLE,
  },
} as const satisfies Record<string, Operation>;

/** Name of an operation. */
export type OperationName = keyof typeof OPERATIONS;

/** The path of `operation` with `id` (and any other `{name}` in `params`) encoded into it. */
export function operationPath(
  operation: Operation,
  id?: string,
  params: Record<string, string> = {},
): string {
  let path = id === undefined ? operation.path : operation.path.replace("{id}", encodeURIComponent(id));
  for (const [name, value] of Object.entries(params))
    path = path.replace(`{${name}}`, encodeURIComponent(value));
  return path;
}
