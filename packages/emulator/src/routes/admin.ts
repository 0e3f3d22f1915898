/**
 * The admin API under `/_emulator/`, separate from the emulated service: the call record,
 * counters, faults, quotas, time, apps and fleet, as JSON. It needs the admin token when the
 * emulator listens beyond loopback (`requireAdminToken`); on loopback it is open.
 */
import { requireAdminToken } from "../adminAuth";
import type { EmulatorContext, RouteRequest } from "../context";
import { MdeError } from "../errors";
import { type HandlerResult, jsonResult, parseJsonObject } from "../http";
import type { CallFilter } from "../tenantTypes";
import { type AppRegistrationInput, type FaultRule, ROUTE_NAMES, type RouteName } from "../types";
import { handleAdminTargets } from "./adminTargets";

function badRequest(message: string): MdeError {
  return new MdeError(400, "BadRequest", message);
}

function isRouteName(value: unknown): value is RouteName {
  return typeof value === "string" && (ROUTE_NAMES as readonly string[]).includes(value);
}

function parseBody(req: RouteRequest): unknown {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(req.body.toString("utf8"));
  } catch {
    throw badRequest("Body is not valid JSON");
  }
}

function noContent(): HandlerResult {
  return { status: 204 };
}

/** Every `/_emulator/*` request. */
export function handleAdmin(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  if (ctx.settings.requireAdminToken) requireAdminToken(req.headers, ctx.settings.adminToken);
  const path = req.params.path ?? "";
  const key = `${req.method} ${path}`;
  switch (key) {
    case "GET health":
      return jsonResult(200, {
        status: "ok",
        url: ctx.origin,
        nowMs: ctx.clock.nowMs(),
        timeScale: ctx.clock.timeScale,
      });
    case "GET calls": {
      const route = req.url.searchParams.get("route") ?? undefined;
      const clientId = req.url.searchParams.get("clientId") ?? undefined;
      const tenantId = req.url.searchParams.get("tenantId") ?? undefined;
      const filter: CallFilter = {};
      if (route) filter.route = route as RouteName;
      if (clientId) filter.clientId = clientId;
      if (tenantId) filter.tenantId = tenantId;
      return jsonResult(200, ctx.recorder.list(filter));
    }
    case "DELETE calls":
      ctx.recorder.reset();
      return noContent();
    case "GET counters":
      return jsonResult(200, ctx.recorder.counters());
    case "GET faults":
      return jsonResult(200, ctx.faults.list());
    case "POST faults": {
      const body = parseBody(req);
      const rules = Array.isArray(body) ? body : [body];
      for (const rule of rules) {
        if (typeof rule !== "object" || rule === null || !isRouteName((rule as { route?: unknown }).route)) {
          throw badRequest(`Each fault needs a route, one of: ${ROUTE_NAMES.join(", ")}`);
        }
        try {
          ctx.faults.add(rule as FaultRule);
        } catch (error) {
          throw badRequest((error as Error).message);
        }
      }
      return jsonResult(201, ctx.faults.list());
    }
    case "DELETE faults":
      ctx.faults.clear();
      return noContent();
    case "POST quota": {
      const body = parseJsonObject(req.body);
      const { clientId, tenantId, route, count } = body ?? {};
      if (typeof clientId !== "string" || typeof tenantId !== "string" || !isRouteName(route)) {
        throw badRequest("Body needs clientId, tenantId and route");
      }
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0)
        throw badRequest("count must be a non-negative integer");
      ctx.limiter.consume({ clientId, tenantId, route }, count);
      return noContent();
    }
    case "POST time": {
      const seconds = parseJsonObject(req.body)?.advanceSeconds;
      if (typeof seconds !== "number" || !(seconds >= 0))
        throw badRequest("Body needs advanceSeconds (emulated seconds, >= 0)");
      ctx.clock.advance(seconds);
      return jsonResult(200, { nowMs: ctx.clock.nowMs() });
    }
    case "POST reset":
      ctx.resetAll();
      return noContent();
    case "GET fleet": {
      const tenant = req.url.searchParams.get("tenant");
      if (tenant === null) return jsonResult(200, ctx.fleet);
      try {
        return jsonResult(200, ctx.tenants.at(Number(tenant)).fleet);
      } catch (error) {
        throw new MdeError(404, "NotFound", (error as Error).message);
      }
    }
    case "GET tenants":
      // Secrets stay out, as in the app listing.
      return jsonResult(
        200,
        ctx.tenants.list.map((t) => ({
          index: t.index,
          tenantId: t.tenantId,
          clientId: t.defaultApp.clientId,
          defaultUserUpn: t.defaultUser.upn,
          devices: t.fleet.length,
        })),
      );
    case "GET apps":
      // Secrets stay out of listings; whoever registered an app knows its secret.
      return jsonResult(
        200,
        ctx.registry
          .list()
          .map(({ clientSecret, ...app }) => ({ ...app, hasClientSecret: clientSecret !== undefined })),
      );
    case "POST apps": {
      const body = parseJsonObject(req.body);
      if (!body) throw badRequest("Body must be an app registration object");
      return jsonResult(201, ctx.registry.add(body as AppRegistrationInput));
    }
    default: {
      // Tags, late devices, users and GitHub job environments live in their own module.
      const targets = handleAdminTargets(ctx, req, path);
      if (targets) return targets;
      throw new MdeError(404, "NotFound", `No admin resource '${req.method} /_emulator/${path}'`);
    }
  }
}
