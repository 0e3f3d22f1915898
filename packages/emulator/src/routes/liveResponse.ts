/**
 * Live response: `runliveresponse` (GetFile commands) creates a `LiveResponse` machine action;
 * `GetLiveResponseResultDownloadLink(index=N)` gives a signed link to command N's result, served
 * like Blob Storage by {@link handleLiveResponseDownload}. Budget: one session per device (400
 * ActiveRequestAlreadyExists), `liveResponseSessionsPerTenant` per tenant (429, or queued), and
 * the 10 calls per minute of `ROUTE_LIMITS`.
 */
import { createHash } from "node:crypto";
import type { EmulatorContext, RouteRequest } from "../context";
import { requestorOf } from "../delegatedAccess";
import { MdeErrorFactory } from "../errors";
import { effectiveBehavior } from "../fleet";
import { type HandlerResult, jsonResult, parseJsonObject } from "../http";
import {
  commandPath,
  commandStatus,
  parseCommands,
  planCommands,
  scheduleCommands,
} from "../liveResponseCommands";
import { StorageErrorFactory } from "../storageErrors";
import type { ActionEntry } from "../store";
import { type ServableBlob, serveBlob } from "./download";
import { entityContext, requireAction, requireComment, requireDevice } from "./machineActions";

/**
 * When a new session of `tenantId` may start: now (undefined) or, with the tenant's sessions all
 * taken, when enough of them end. Rejects instead under `liveResponseOverflow: "reject"`.
 */
function sessionSlot(ctx: EmulatorContext, tenantId: string): number | undefined {
  const limit = ctx.settings.liveResponseSessionsPerTenant;
  const endings = ctx.store
    .list()
    .filter((a) => a.type === "LiveResponse" && a.tenantId === tenantId && !ctx.store.isFinal(a))
    .map((a) => a.endsMs)
    .sort((a, b) => a - b);
  if (endings.length < limit) return undefined;
  // The new session needs `endings.length - limit + 1` of the running ones to end first.
  const freeAtMs = endings[endings.length - limit] ?? ctx.clock.nowMs();
  if (ctx.settings.liveResponseOverflow === "reject") {
    throw MdeErrorFactory.tooManyLiveResponseSessions(Math.max(1, freeAtMs - ctx.clock.nowMs()), limit);
  }
  return freeAtMs;
}

/** `POST /api/machines/{id}/runliveresponse` `{Commands, Comment}`. */
export function handleRunLiveResponse(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const comment = requireComment(req.body);
  const commands = parseCommands(parseJsonObject(req.body) ?? {});
  const device = requireDevice(ctx, req);
  if (!effectiveBehavior(device).collectionSupported)
    throw MdeErrorFactory.actionNotSupported("Live response", device.osPlatform);
  // Documented: a second session on a device while one runs is refused, whatever duplicate setting.
  if (ctx.store.activeOn(device.id, "LiveResponse")) throw MdeErrorFactory.activeRequestAlreadyExists();
  const tenantId = req.claims?.tid ?? "";
  const notBeforeMs = sessionSlot(ctx, tenantId);
  const plan = planCommands(commands, (path) => ctx.files.read(device, path));
  const commandSeconds = ctx.store.lifecycle.liveResponseCommandSeconds;
  const entry = ctx.store.create(device, {
    type: "LiveResponse",
    requestor: requestorOf(req.claims),
    tenantId,
    comment,
    runSeconds: plan.executed * commandSeconds,
    outcome: plan.failed ? "Failed" : "Succeeded",
    offlineTimeoutSeconds: ctx.store.lifecycle.liveResponseQueueSeconds,
    ...(notBeforeMs === undefined ? {} : { notBeforeMs }),
    extra: { commands: plan.entries },
  });
  if (entry.startsMs !== undefined) {
    scheduleCommands(plan.entries, plan.executed, entry.startsMs, ctx.clock.realMs(commandSeconds));
  }
  return jsonResult(201, {
    "@odata.context": entityContext(ctx),
    ...ctx.store.toApi(entry, { justCreated: true }),
  });
}

/** The command of a live response action; 404 for another action type, 400 for an index out of range. */
function commandOf(entry: ActionEntry, index: number) {
  if (entry.type !== "LiveResponse" || !entry.commands) {
    throw MdeErrorFactory.liveResponseResultNotReady(entry.id, index, "none: not a live response action");
  }
  const command = entry.commands[index];
  if (!command) {
    throw MdeErrorFactory.invalidInput(
      `index ${index} is out of range: action ${entry.id} has ${entry.commands.length} command(s)`,
    );
  }
  return command;
}

/** `GET /api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=N)`: 404 until command N completed. */
export function handleLiveResponseLink(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const entry = requireAction(ctx, req);
  const index = Number(req.params.index);
  const command = commandOf(entry, index);
  const now = ctx.clock.nowMs();
  // A cancelled session keeps what its commands had done by then.
  const at = entry.cancellation && entry.cancellation.atMs < now ? entry.cancellation.atMs : now;
  const status = commandStatus(command, at);
  if (status !== "Completed" || !command.result) {
    throw MdeErrorFactory.liveResponseResultNotReady(entry.id, index, status);
  }
  const expiresMs = now + ctx.clock.realMs(ctx.settings.liveResponseLinkLifetimeSeconds);
  return jsonResult(200, {
    "@odata.context": `${ctx.origin}/api/$metadata#Edm.String`,
    value: ctx.links.createResultLink(ctx.origin, entry.id, index, expiresMs),
  });
}

/** A collected file as a blob; small, so it always carries `Content-MD5`. */
function resultBlob(entry: ActionEntry, index: number, bytes: Buffer): ServableBlob {
  const md5 = createHash("md5").update(bytes).digest("base64");
  const tag = createHash("sha1").update(`${entry.id}:${index}:${bytes.length}`).digest("hex");
  return {
    size: bytes.length,
    etag: `"0x${tag.slice(0, 16).toUpperCase()}"`,
    contentMd5: async () => md5,
    *read(start = 0, end = bytes.length) {
      if (start < end) yield bytes.subarray(start, end);
    },
  };
}

/** The file name of a remote path, safe inside a quoted header value. */
function fileNameOf(path: string): string {
  const base = path.split(/[\\/]/).pop() || "result";
  return base.replace(/[^\x20-\x7e]|["\\]/g, "_");
}

/** `GET /live-response-results/{actionId}/{index}?sv&sr&sp&se&sig`: the collected file's bytes, as is. */
export async function handleLiveResponseDownload(
  ctx: EmulatorContext,
  req: RouteRequest,
): Promise<HandlerResult> {
  const check = ctx.links.checkResultLink(req.url.pathname, req.url.searchParams, ctx.clock.nowMs());
  if (!check.ok) {
    return check.reason === "expired"
      ? StorageErrorFactory.linkExpired(req.url.searchParams.get("se") ?? "", ctx.clock.nowMs())
      : StorageErrorFactory.signatureMismatch();
  }
  // A link carries no token: the action's tenant, whichever it is, is the call's.
  const found = ctx.tenants.findAction(check.actionId);
  if (found) req.call.identify(undefined, found.tenant.tenantId);
  const entry = found?.entry;
  const command = entry?.commands?.[check.index];
  if (!entry || !command?.result) return StorageErrorFactory.blobNotFound();
  return serveBlob(ctx, req, resultBlob(entry, check.index, command.result), {
    contentType: "application/octet-stream",
    fileName: fileNameOf(commandPath(command.command)),
  });
}
