/**
 * Machine actions: collect an investigation package, get, list, cancel, and the package link.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { assertDeviceAccess, canSeeDevice, requestorOf } from "../delegatedAccess";
import { MdeErrorFactory } from "../errors";
import { effectiveBehavior } from "../fleet";
import { type HandlerResult, jsonResult, parseJsonObject } from "../http";
import type { ActionEntry } from "../store";
import type { Device } from "../types";
import { applyListQuery } from "./listQuery";

/** Properties `$filter` accepts on machine actions, as documented. */
export const ACTION_FILTERABLE: readonly string[] = [
  "id",
  "status",
  "machineId",
  "type",
  "requestor",
  "creationDateTimeUtc",
];

/** Reads the required `Comment` (case-sensitive, as the service binds it). */
export function requireComment(body: Buffer): string {
  const parsed = parseJsonObject(body);
  if (!parsed)
    throw MdeErrorFactory.invalidRequestBody("Request body must be a JSON object with a 'Comment' property");
  const comment = parsed.Comment;
  if (typeof comment !== "string" || comment.trim() === "") {
    const hint = "comment" in parsed ? " (property names are case-sensitive: use 'Comment')" : "";
    throw MdeErrorFactory.invalidRequestBody(`'Comment' is required and must be a non-empty string${hint}`);
  }
  return comment;
}

/** `@odata.context` of a single MachineAction. */
export function entityContext(ctx: EmulatorContext): string {
  return `${ctx.origin}/api/$metadata#MachineActions/$entity`;
}

/** The action of the path; a user must have access to its device's group. */
export function requireAction(ctx: EmulatorContext, req: RouteRequest): ActionEntry {
  const id = req.params.actionId ?? "";
  const entry = ctx.store.get(id);
  if (!entry) throw MdeErrorFactory.resourceNotFound("MachineAction", id);
  assertDeviceAccess(
    ctx,
    req.claims,
    ctx.fleet.find((d) => d.id === entry.machineId),
  );
  return entry;
}

/** The onboarded device of the path, which a user must have access to. */
export function requireDevice(ctx: EmulatorContext, req: RouteRequest): Device {
  const id = (req.params.machineId ?? "").toLowerCase();
  // A device that has not onboarded yet is unknown to the service.
  const device = ctx.onboarding.onboarded(ctx.fleet).find((d) => d.id === id);
  if (!device) throw MdeErrorFactory.resourceNotFound("Machine", id);
  assertDeviceAccess(ctx, req.claims, device);
  return device;
}

/** `POST /api/machines/{id}/collectInvestigationPackage`. */
export function handleCollect(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const comment = requireComment(req.body);
  const device = requireDevice(ctx, req);
  if (!effectiveBehavior(device).collectionSupported)
    throw MdeErrorFactory.osPlatformNotSupported(device.osPlatform);
  const active = ctx.store.activeOn(device.id, "CollectInvestigationPackage");
  if (active) {
    if (ctx.settings.duplicateCollection === "conflict") throw MdeErrorFactory.activeRequestAlreadyExists();
    return jsonResult(201, { "@odata.context": entityContext(ctx), ...ctx.store.toApi(active) });
  }
  const entry = ctx.store.create(device, {
    type: "CollectInvestigationPackage",
    requestor: requestorOf(req.claims),
    tenantId: req.claims?.tid ?? "",
    comment,
    outcome: effectiveBehavior(device).collectionOutcome,
  });
  return jsonResult(201, {
    "@odata.context": entityContext(ctx),
    ...ctx.store.toApi(entry, { justCreated: true }),
  });
}

/** `GET /api/machineactions/{id}`. */
export function handleGetAction(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const entry = requireAction(ctx, req);
  return jsonResult(200, { "@odata.context": entityContext(ctx), ...ctx.store.toApi(entry) });
}

/** `GET /api/machineactions?$filter=...`. */
export function handleListActions(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  // A user lists only actions on devices of the device groups they have access to.
  const all = ctx.store
    .list()
    .filter((entry) => {
      const device = ctx.fleet.find((d) => d.id === entry.machineId);
      return !device || canSeeDevice(ctx, req.claims, device);
    })
    .map((entry) => ctx.store.toApi(entry));
  const value = applyListQuery(all, req.url.searchParams, ACTION_FILTERABLE, "MachineAction");
  return jsonResult(200, { "@odata.context": `${ctx.origin}/api/$metadata#MachineActions`, value });
}

/** `GET /api/machineactions/{id}/GetPackageUri`: 404 until the action succeeded. */
export function handleGetPackageUri(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const entry = requireAction(ctx, req);
  const { status } = ctx.store.state(entry);
  // Only a collection has a package; other actions answer as a collection that never succeeds.
  if (status !== "Succeeded" || entry.type !== "CollectInvestigationPackage")
    throw MdeErrorFactory.packageNotReady(entry.id, status);
  const expiresMs = ctx.clock.nowMs() + ctx.clock.realMs(ctx.settings.packageLinkLifetimeSeconds);
  const link = ctx.links.create(ctx.origin, entry.id, expiresMs);
  return jsonResult(200, {
    "@odata.context": `${ctx.origin}/api/$metadata#Edm.String`,
    value: ctx.settings.quotePackageUri ? `"${link}"` : link,
  });
}

/** `POST /api/machineactions/{id}/cancel`: 400 when the action is already final. */
export function handleCancel(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const comment = requireComment(req.body);
  const entry = requireAction(ctx, req);
  if (!ctx.store.cancel(entry, requestorOf(req.claims), comment)) {
    throw MdeErrorFactory.actionAlreadyFinal(entry.id, ctx.store.state(entry).status);
  }
  return jsonResult(200, { "@odata.context": entityContext(ctx), ...ctx.store.toApi(entry) });
}
