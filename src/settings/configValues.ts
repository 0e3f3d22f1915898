/**
 * Small parsers of configuration values: each names the key, what was expected, what was given and
 * what to do when the value is wrong.
 */
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { configError } from "../core/errors";
import { isLoopbackHost } from "../core/loopback";

export { isLoopbackHost } from "../core/loopback";

/** A value trimmed, or undefined when unset or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** An endpoint value as it may be shown in a message: any user info (`user:pass@`) replaced. */
export function showEndpoint(value: string): string {
  return value.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i,
    (_m, scheme: string | undefined) => `${scheme ?? ""}REDACTED@`,
  );
}

/** Parses an API or authority endpoint: https (or http on loopback), no query, fragment or credentials. */
export function parseEndpoint(key: string, value: string, allowLoopbackHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(
      key,
      "an absolute https:// URL",
      showEndpoint(value),
      "Give the full URL, e.g. https://api.security.microsoft.com.",
    );
  }
  if (url.protocol === "http:") {
    if (!allowLoopbackHttp || !isLoopbackHost(url.hostname)) {
      throw configError(
        key,
        allowLoopbackHttp ? "an https:// URL (http:// only for loopback hosts)" : "an https:// URL",
        showEndpoint(value),
        "Use https://: tokens must not travel in clear text.",
      );
    }
  } else if (url.protocol !== "https:") {
    throw configError(key, "an https:// URL", showEndpoint(value), "Use an https:// URL.");
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

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * A positive decimal number (`"0x10"`, `"1e3"` and `" 5 "` are refused: config is read by people, and
 * a value must mean what it looks like).
 * @param max - Largest accepted value, with why. @default no limit
 */
export function parsePositive(
  key: string,
  value: string | undefined,
  fallback: number,
  integer: boolean,
  max?: { value: number; why: string },
): number {
  if (value === undefined) return fallback;
  const n = DECIMAL.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw configError(
      key,
      integer ? "a positive whole number in decimal digits" : "a positive decimal number",
      value,
      `Set ${key} to e.g. ${fallback}, or remove it to use the default (${fallback}).`,
    );
  }
  if (max && n > max.value) {
    throw configError(key, `at most ${max.value}`, value, max.why);
  }
  return n;
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`), or undefined when unset. */
export function parseBoolean(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === "true" || v === "1" || v === "yes") return true;
  if (v === "false" || v === "0" || v === "no") return false;
  throw configError(key, '"true" or "false"', value, `Set ${key} to true or false.`);
}

/** Largest file read as a PEM (CA bundle, certificate): anything larger is not one. */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

/** Checks that `path` is a readable file of at most {@link MAX_PEM_FILE_BYTES}, naming the key when not. */
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
  const size = statSync(path).size;
  if (size > MAX_PEM_FILE_BYTES) {
    throw configError(
      key,
      `a ${what} of at most ${MAX_PEM_FILE_BYTES / 1024} KiB`,
      path,
      `The file has ${size} bytes, which is not a PEM file of certificates: check the path.`,
    );
  }
}
