/**
 * Machines API: get one device by id or computer DNS name, list with OData.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { MdeErrorFactory } from "../errors";
import { toApiMachine } from "../fleet";
import { type HandlerResult, jsonResult } from "../http";
import type { Device } from "../types";
import { applyListQuery } from "./listQuery";

/** Properties `$filter` accepts on machines, as documented. */
export const MACHINE_FILTERABLE: readonly string[] = [
  "computerDnsName",
  "id",
  "version",
  "deviceValue",
  "aadDeviceId",
  "machineTags",
  "lastSeen",
  "exposureLevel",
  "onboardingStatus",
  "lastIpAddress",
  "healthStatus",
  "osPlatform",
  "riskScore",
  "rbacGroupId",
];

/** The device with this id, or this computer DNS name (both case-insensitive). */
export function findDevice(fleet: readonly Device[], idOrName: string): Device | undefined {
  const wanted = idOrName.toLowerCase();
  return fleet.find((d) => d.id === wanted) ?? fleet.find((d) => d.computerDnsName.toLowerCase() === wanted);
}

/** `GET /api/machines/{idOrComputerDnsName}`. */
export function handleGetMachine(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const key = req.params.machineId ?? "";
  const device = findDevice(ctx.fleet, key);
  if (!device) throw MdeErrorFactory.resourceNotFound("Machine", key);
  return jsonResult(200, {
    "@odata.context": `${ctx.origin}/api/$metadata#Machines/$entity`,
    ...toApiMachine(device),
  });
}

/** `GET /api/machines?$filter=...&$top=...&$skip=...`. */
export function handleListMachines(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const value = applyListQuery(
    ctx.fleet.map(toApiMachine),
    req.url.searchParams,
    MACHINE_FILTERABLE,
    "Machine",
  );
  return jsonResult(200, { "@odata.context": `${ctx.origin}/api/$metadata#Machines`, value });
}
