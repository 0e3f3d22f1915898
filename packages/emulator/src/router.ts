/**
 * Maps method + path to a route name and its parameters. API paths accept `/api/...` and
 * `/api/v1.0/...`; API keywords match case-insensitively (the service's OData routing does).
 */
import type { RouteName } from "./types";

/** A matched route. */
export type RouteMatch =
  | { route: RouteName; params: Record<string, string> }
  | { route: "admin"; params: { path: string } }
  | { route: "unknown"; params: Record<string, never> };

/** A path segment: a keyword (lower case), any value (`null`), or a keyword whose group 1 is a value. */
type Segment = string | null | RegExp;

const API_ROUTES: { method: string; pattern: Segment[]; route: RouteName; names: string[] }[] = [
  { method: "GET", pattern: ["machines"], route: "listMachines", names: [] },
  // Before `machines/{id}`, which would otherwise take "findbytag" for a device.
  { method: "GET", pattern: ["machines", "findbytag"], route: "findMachinesByTag", names: [] },
  { method: "GET", pattern: ["machines", null], route: "getMachine", names: ["machineId"] },
  {
    method: "POST",
    pattern: ["machines", null, "collectinvestigationpackage"],
    route: "collect",
    names: ["machineId"],
  },
  { method: "GET", pattern: ["machineactions"], route: "listActions", names: [] },
  { method: "GET", pattern: ["machineactions", null], route: "getAction", names: ["actionId"] },
  {
    method: "GET",
    pattern: ["machineactions", null, "getpackageuri"],
    route: "getPackageUri",
    names: ["actionId"],
  },
  { method: "POST", pattern: ["machineactions", null, "cancel"], route: "cancel", names: ["actionId"] },
  { method: "POST", pattern: ["machines", null, "isolate"], route: "isolate", names: ["machineId"] },
  { method: "POST", pattern: ["machines", null, "unisolate"], route: "unisolate", names: ["machineId"] },
  {
    method: "POST",
    pattern: ["machines", null, "runliveresponse"],
    route: "liveResponse",
    names: ["machineId"],
  },
  {
    method: "GET",
    // OData function call syntax: the index is part of the segment.
    pattern: ["machineactions", null, /^getliveresponseresultdownloadlink\(index=(\d{1,6})\)$/i],
    route: "liveResponseLink",
    names: ["actionId", "index"],
  },
];

function matchPattern(
  segments: string[],
  pattern: Segment[],
  names: string[],
): Record<string, string> | undefined {
  if (segments.length !== pattern.length) return undefined;
  const params: Record<string, string> = {};
  let nameIndex = 0;
  for (const [i, expected] of pattern.entries()) {
    const segment = segments[i] ?? "";
    if (expected === null) {
      params[names[nameIndex++] ?? "param"] = segment;
    } else if (expected instanceof RegExp) {
      const match = expected.exec(segment);
      if (!match) return undefined;
      params[names[nameIndex++] ?? "param"] = match[1] ?? "";
    } else if (segment.toLowerCase() !== expected) {
      return undefined;
    }
  }
  return params;
}

/** Finds the route for a request. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const segments = pathname
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const lower = segments.map((s) => s.toLowerCase());
  if (lower[0] === "_emulator") return { route: "admin", params: { path: lower.slice(1).join("/") } };
  if (lower[0] === "api") {
    const rest = lower[1] === "v1.0" ? segments.slice(2) : segments.slice(1);
    for (const candidate of API_ROUTES) {
      if (candidate.method !== method) continue;
      const params = matchPattern(rest, candidate.pattern, candidate.names);
      if (params) return { route: candidate.route, params };
    }
    return { route: "unknown", params: {} };
  }
  if (method === "GET" && lower[0] === "investigation-packages" && segments.length === 2) {
    return { route: "download", params: {} };
  }
  if (method === "GET" && lower[0] === "live-response-results" && segments.length === 3) {
    return { route: "liveResponseDownload", params: {} };
  }
  if (
    method === "GET" &&
    (lower.join("/") === "msi/token" || lower.join("/") === "metadata/identity/oauth2/token")
  ) {
    return { route: "managedIdentity", params: { source: lower[0] === "msi" ? "appService" : "imds" } };
  }
  if (method === "GET" && lower.join("/") === "github/idtoken") return { route: "githubOidc", params: {} };
  const tenant = segments[0];
  if (tenant !== undefined) {
    const tail = lower.slice(1).join("/");
    if (method === "POST" && tail === "oauth2/v2.0/token") return { route: "token", params: { tenant } };
    if (method === "GET" && tail === "v2.0/.well-known/openid-configuration") {
      return { route: "discovery", params: { tenant, document: "openid" } };
    }
    if (method === "GET" && tail === "discovery/v2.0/keys")
      return { route: "discovery", params: { tenant, document: "keys" } };
  }
  return { route: "unknown", params: {} };
}
