/**
 * Small parsers of configuration values: each names the key, what was expected, what was given and
 * what to do when the value is wrong.
 */
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { isIP } from "node:net";
import { configError } from "../core/errors";

const LOOPBACK_NAMES = new Set(["localhost", "[::1]", "::1"]);

export function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** True for 127.0.0.0/8, ::1 and `localhost` (names that cannot leave the machine). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(host) || host.endsWith(".localhost")) return true;
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
  return false;
}

export function parseEndpoint(key: string, value: string, allowLoopbackHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(
      key,
      "an absolute https:// URL",
      value,
      "Give the full URL, e.g. https://api.security.microsoft.com.",
    );
  }
  if (url.protocol === "http:") {
    if (!allowLoopbackHttp || !isLoopbackHost(url.hostname)) {
      throw configError(
        key,
        allowLoopbackHttp ? "an https:// URL (http:// only for loopback hosts)" : "an https:// URL",
        value,
        "Use https://: tokens must not travel in clear text.",
      );
    }
  } else if (url.protocol !== "https:") {
    throw configError(key, "an https:// URL", value, "Use an https:// URL.");
  }
  if (url.search || url.hash || url.username || url.password) {
    throw configError(
      key,
      "a URL without query, fragment or credentials",
      `${url.origin}${url.pathname}`,
      "Remove the query string, fragment and user info.",
    );
  }
  // Paths in requests are `/api/...`; accept a base given with `/api` or `/api/v1.0` (same API).
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api(\/v1\.0)?$/i, "");
  return `${url.origin}${path}`;
}

export function parsePositive(
  key: string,
  value: string | undefined,
  fallback: number,
  integer: boolean,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw configError(
      key,
      integer ? "a positive integer" : "a positive number",
      value,
      `Set ${key} to e.g. ${fallback}, or remove it to use the default (${fallback}).`,
    );
  }
  return n;
}

export function parseBoolean(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === "true" || v === "1" || v === "yes") return true;
  if (v === "false" || v === "0" || v === "no") return false;
  throw configError(key, '"true" or "false"', value, `Set ${key} to true or false.`);
}

export function requireReadable(key: string, path: string, what: string): void {
  try {
    accessSync(path, fsConstants.R_OK);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw configError(
      key,
      `a readable ${what}`,
      path,
      `The file cannot be read (${reason}): check the path and permissions.`,
    );
  }
  // A folder passes the access check but fails the read with a bare EISDIR: say what is wrong instead.
  if (!statSync(path).isFile()) {
    throw configError(
      key,
      `a readable ${what}`,
      path,
      "This path is not a file: give the path of the file itself.",
    );
  }
}
