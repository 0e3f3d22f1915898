/**
 * Machines API: get one device by id or computer DNS name, list with OData, find by tag. Devices
 * not onboarded yet are invisible; a user sees only the device groups they have access to.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { assertDeviceAccess, canSeeDevice } from "../delegatedAccess";
import { MdeErrorFactory } from "../errors";
import { findDevice, toApiMachine } from "../fleet";
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

/** Devices the caller can list now: onboarded, and in the user's device groups for a user token. */
function visibleMachines(ctx: EmulatorContext, req: RouteRequest): Device[] {
  return ctx.onboarding.onboarded(ctx.fleet).filter((d) => canSeeDevice(ctx, req.claims, d));
}

/** `GET /api/machines/{idOrComputerDnsName}`. */
export function handleGetMachine(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const key = req.params.machineId ?? "";
  const device = findDevice(ctx.onboarding.onboarded(ctx.fleet), key);
  if (!device) throw MdeErrorFactory.resourceNotFound("Machine", key);
  assertDeviceAccess(ctx, req.claims, device);
  return jsonResult(200, {
    "@odata.context": `${ctx.origin}/api/$metadata#Machines/$entity`,
    ...toApiMachine(device),
  });
}

/** `GET /api/machines?$filter=...&$top=...&$skip=...`. */
export function handleListMachines(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const value = applyListQuery(
    visibleMachines(ctx, req).map(toApiMachine),
    req.url.searchParams,
    MACHINE_FILTERABLE,
    "Machine",
  );
  return jsonResult(200, { "@odata.context": `${ctx.origin}/api/$metadata#Machines`, value });
}

/** `GET /api/machines/findbytag?tag=X&useStartsWithFilter=false|true`: tags compare without case. */
export function handleFindMachinesByTag(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const tag = req.url.searchParams.get("tag");
  if (tag === null || tag === "") throw MdeErrorFactory.missingRequiredParameter("tag");
  const startsWithText = (req.url.searchParams.get("useStartsWithFilter") ?? "false").toLowerCase();
  if (startsWithText !== "true" && startsWithText !== "false") {
    throw MdeErrorFactory.invalidInput(`useStartsWithFilter must be true or false, got '${startsWithText}'`);
  }
  const wanted = tag.toLowerCase();
  const matches = (machineTag: string) =>
    startsWithText === "true"
      ? machineTag.toLowerCase().startsWith(wanted)
      : machineTag.toLowerCase() === wanted;
  const value = visibleMachines(ctx, req)
    .filter((d) => d.machineTags.some(matches))
    .map(toApiMachine);
  return jsonResult(200, { "@odata.context": `${ctx.origin}/api/$metadata#Machines`, value });
}
