/**
 * Admin resources for targeting and identities, under `/_emulator/`: a device's tags and isolation state, devices
 * that onboard later, users and their tokens, and GitHub Actions job environments. Reached from
 * the admin router for paths it does not know itself.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { MdeError } from "../errors";
import { findDevice } from "../fleet";
import { onboardDevice, setMachineTags } from "../fleetControl";
import { type HandlerResult, jsonResult, parseJsonObject } from "../http";
import { githubActionsEnv, userAccessToken } from "../identityControl";
import type { UserRegistrationInput } from "../identityTypes";
import { isolationState } from "../isolationState";
import type { Device } from "../types";

function badRequest(message: string): MdeError {
  return new MdeError(400, "BadRequest", message);
}

/** Runs `operation`, answering its plain `Error` as a 400. */
function asBadRequest<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    if (error instanceof MdeError) throw error;
    throw badRequest((error as Error).message);
  }
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw badRequest(`${name} must be a number`);
  return value;
}

/**
 * The admin resources of this module, or undefined when `path` (lower-cased, without
 * `/_emulator/`) is none of them.
 */
export function handleAdminTargets(
  ctx: EmulatorContext,
  req: RouteRequest,
  path: string,
): HandlerResult | undefined {
  const body = () => parseJsonObject(req.body) ?? {};
  const tags = /^fleet\/([^/]+)\/tags$/.exec(path);
  if (tags && req.method === "PUT") {
    return jsonResult(
      200,
      asBadRequest(() => setMachineTags(ctx, tags[1] ?? "", body().tags)),
    );
  }
  const isolation = /^fleet\/([^/]+)\/isolation$/.exec(path);
  if (isolation && req.method === "GET") {
    const device = findDevice(ctx.fleet, isolation[1] ?? "");
    if (!device) throw new MdeError(404, "NotFound", `No device '${isolation[1]}'`);
    return jsonResult(200, isolationState(ctx.store, device.id));
  }
  if (path === "fleet" && req.method === "POST") {
    const { device, afterSeconds } = body();
    if (typeof device !== "object" || device === null)
      throw badRequest("Body needs device (and afterSeconds)");
    if (afterSeconds !== undefined && typeof afterSeconds !== "number")
      throw badRequest("afterSeconds must be a number");
    return jsonResult(
      201,
      asBadRequest(() => onboardDevice(ctx, device as Partial<Device>, afterSeconds)),
    );
  }
  if (path === "users" && req.method === "GET") {
    // Passwords stay out of listings, as secrets do for apps.
    return jsonResult(
      200,
      ctx.users.list().map(({ password: _password, ...user }) => user),
    );
  }
  if (path === "users" && req.method === "POST") {
    return jsonResult(
      201,
      asBadRequest(() => ctx.users.add(body() as unknown as UserRegistrationInput)),
    );
  }
  const token = /^users\/([^/]+)\/token$/.exec(path);
  if (token && req.method === "POST") {
    const input = body();
    const scopes = input.scopes;
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === "string"))) {
      throw badRequest("scopes must be an array of strings");
    }
    const lifetimeSeconds = optionalNumber(input, "lifetimeSeconds");
    const upn = token[1] ?? "";
    if (!ctx.users.find(upn)) throw new MdeError(404, "NotFound", `No user ${upn}`);
    return jsonResult(
      200,
      userAccessToken(
        ctx,
        {
          upn,
          ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }),
          ...(scopes === undefined ? {} : { scopes: scopes as string[] }),
        },
        upn,
      ),
    );
  }
  if (path === "github/env" && req.method === "POST") {
    const input = body();
    const subject = input.subject;
    if (subject !== undefined && typeof subject !== "string") throw badRequest("subject must be a string");
    const idTokenLifetimeSeconds = optionalNumber(input, "idTokenLifetimeSeconds");
    return jsonResult(
      201,
      githubActionsEnv(ctx, {
        ...(subject === undefined ? {} : { subject }),
        ...(idTokenLifetimeSeconds === undefined ? {} : { idTokenLifetimeSeconds }),
      }),
    );
  }
  return undefined;
}
