/**
 * The name and version of the pulumi-mde package that is running, for the chain-of-custody record: read
 * at run time from the package's own package.json, so a manifest names the release that fetched it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** Name of this package. */
export const TOOL_NAME = "pulumi-mde";

let cached: string | undefined;

/**
 * The version in the nearest `package.json` above `from` whose name is `pulumi-mde`.
 * @param from - Where to start looking. @default this module's folder
 * @returns the version, or `"unknown"` when no such package.json is found (never fails a download).
 */
export function toolVersion(from: string = __dirname): string {
  if (cached !== undefined && from === __dirname) return cached;
  let found = "unknown";
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === TOOL_NAME && typeof pkg.version === "string") {
        found = pkg.version;
        break;
      }
    } catch {
      // No package.json here, or not JSON: keep climbing.
    }
    if (path.dirname(dir) === dir) break;
  }
  if (from === __dirname) cached = found;
  return found;
}
