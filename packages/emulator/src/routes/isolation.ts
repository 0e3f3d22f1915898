/**
 * Device isolation: `isolate` and `unisolate` create machine actions (types `Isolate` and
 * `Unisolate`) with the collection's lifecycle. A second request of the same kind while one is
 * pending or running on the device gets 400 ActiveRequestAlreadyExists (or, with
 * `duplicateIsolation: "returnExisting"`, 201 with the pending action). An isolate and a release
 * may be pending together: without a fault they complete in the order they were posted.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { requestorOf } from "../delegatedAccess";
import { MdeErrorFactory } from "../errors";
import { effectiveBehavior } from "../fleet";
import { type HandlerResult, jsonResult, parseJsonObject } from "../http";
import type { ActionEntry, ActionType } from "../store";
import type { Device, IsolationType } from "../types";
import { entityContext, requireComment, requireDevice } from "./machineActions";

/** Isolation types the isolate request accepts. */
export const ISOLATION_TYPES: readonly IsolationType[] = ["Full", "Selective", "UnManagedDevice"];

/** Emulated seconds a held isolation completes after the release that overtook it. */
const HELD_ISOLATION_LAG_SECONDS = 5;

/** `IsolationType` of the body: optional (Full), one of {@link ISOLATION_TYPES} when given. */
function isolationTypeOf(body: Buffer): IsolationType {
  const value = parseJsonObject(body)?.IsolationType;
  if (value === undefined || value === null) return "Full";
  if (typeof value !== "string" || !(ISOLATION_TYPES as readonly string[]).includes(value)) {
    throw MdeErrorFactory.invalidRequestBody(`'IsolationType' must be one of ${ISOLATION_TYPES.join(", ")}`);
  }
  return value as IsolationType;
}

/** The checks both requests share; returns the device, or an answer for a duplicate. */
function admit(
  ctx: EmulatorContext,
  req: RouteRequest,
  type: ActionType,
): { device: Device; comment: string } | { answer: HandlerResult } {
  const comment = requireComment(req.body);
  const device = requireDevice(ctx, req);
  if (!effectiveBehavior(device).collectionSupported) {
    throw MdeErrorFactory.actionNotSupported(
      type === "Isolate" ? "Isolate" : "Release from isolation",
      device.osPlatform,
    );
  }
  const active = ctx.store.activeOn(device.id, type);
  if (active) {
    if (ctx.settings.duplicateIsolation === "conflict") throw MdeErrorFactory.activeRequestAlreadyExists();
    return { answer: jsonResult(201, { "@odata.context": entityContext(ctx), ...ctx.store.toApi(active) }) };
  }
  return { device, comment };
}

function created(ctx: EmulatorContext, entry: ActionEntry): HandlerResult {
  return jsonResult(201, {
    "@odata.context": entityContext(ctx),
    ...ctx.store.toApi(entry, { justCreated: true }),
  });
}

/** `POST /api/machines/{id}/isolate` `{Comment, IsolationType}`. */
export function handleIsolate(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const isolationType = isolationTypeOf(req.body);
  const admitted = admit(ctx, req, "Isolate");
  if ("answer" in admitted) return admitted.answer;
  const entry = ctx.store.create(admitted.device, {
    type: "Isolate",
    requestor: requestorOf(req.claims),
    tenantId: req.claims?.tid ?? "",
    comment: admitted.comment,
    extra: { isolationType, ...(req.completeAfterRelease ? { completeAfterRelease: true } : {}) },
  });
  return created(ctx, entry);
}

/** `POST /api/machines/{id}/unisolate` `{Comment}`. */
export function handleUnisolate(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const admitted = admit(ctx, req, "Unisolate");
  if ("answer" in admitted) return admitted.answer;
  const entry = ctx.store.create(admitted.device, {
    type: "Unisolate",
    requestor: requestorOf(req.claims),
    tenantId: req.claims?.tid ?? "",
    comment: admitted.comment,
  });
  holdBackIsolations(ctx, entry);
  return created(ctx, entry);
}

/**
 * The out-of-order fault: an isolation marked `completeAfterRelease` that is not final yet now
 * completes just after `release` does, so the device ends isolated (microsoft-365-docs#5903).
 */
function holdBackIsolations(ctx: EmulatorContext, release: ActionEntry): void {
  for (const isolation of ctx.store.list()) {
    if (
      isolation.type !== "Isolate" ||
      isolation.machineId !== release.machineId ||
      !isolation.completeAfterRelease ||
      ctx.store.isFinal(isolation)
    )
      continue;
    isolation.completeAfterRelease = false;
    const lagMs = ctx.clock.realMs(HELD_ISOLATION_LAG_SECONDS);
    isolation.endsMs = Math.max(isolation.endsMs, release.endsMs + lagMs);
  }
}
