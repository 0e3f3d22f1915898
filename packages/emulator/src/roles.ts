/**
 * Application permissions (token `roles`) each route needs, per the role table in the API
 * contract. A call passes when the token holds any one of the listed roles.
 */
import type { RouteName } from "./types";

/** Every Machine.* role the emulated API checks; the default roles of a registered app. */
export const ALL_ROLES: readonly string[] = [
  "Machine.Read.All",
  "Machine.ReadWrite.All",
  "Machine.CollectForensics",
  "Machine.Isolate",
  "Machine.RestrictExecution",
  "Machine.Scan",
  "Machine.Offboard",
  "Machine.StopAndQuarantine",
  "Machine.LiveResponse",
];

const READ = ["Machine.Read.All", "Machine.ReadWrite.All"];

/** Roles that allow each API route (any one suffices). Routes absent here need no role. */
export const ROUTE_ROLES: Partial<Record<RouteName, readonly string[]>> = {
  getMachine: READ,
  listMachines: READ,
  findMachinesByTag: READ,
  getAction: READ,
  listActions: READ,
  collect: ["Machine.CollectForensics"],
  // The current reference asks for ReadWrite; older pages also allowed Read.All. The emulator is
  // strict so an under-permissioned app is caught here rather than in production.
  getPackageUri: ["Machine.ReadWrite.All"],
  isolate: ["Machine.Isolate"],
  unisolate: ["Machine.Isolate"],
  liveResponse: ["Machine.LiveResponse"],
  // As GetPackageUri: the current page lists ReadWrite.All for applications (older ones also Read.All).
  liveResponseLink: ["Machine.ReadWrite.All"],
  cancel: [
    "Machine.CollectForensics",
    "Machine.Isolate",
    "Machine.RestrictExecution",
    "Machine.Scan",
    "Machine.Offboard",
    "Machine.StopAndQuarantine",
    "Machine.LiveResponse",
  ],
};
