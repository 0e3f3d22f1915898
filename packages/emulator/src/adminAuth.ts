/**
 * Authentication of the admin API (`/_emulator/*`). The admin API can reset state, inject
 * faults and register apps, so once the emulator is reachable from the network it needs a
 * token; on loopback it stays open because only local processes can reach it.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { MdeError } from "./errors";

/** Header that carries the admin token when `Authorization` is taken (e.g. by a proxy). */
export const ADMIN_TOKEN_HEADER = "x-emulator-admin-token";

/** A fresh admin token: 32 random bytes as hex. */
export function generateAdminToken(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Whether a listen address only accepts local connections: `localhost`, 127.0.0.0/8, `::1`
 * (also IPv4-mapped). Wildcards (`0.0.0.0`, `::`) and every other address are not.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
  const address = mapped ?? bare;
  if (isIP(address) === 4) return address.startsWith("127.");
  if (isIP(address) === 6) return /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(address);
  return false;
}

function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers[ADMIN_TOKEN_HEADER];
  if (typeof direct === "string" && direct.trim() !== "") return direct.trim();
  const authorization = headers.authorization;
  return typeof authorization === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
}

/**
 * Checks the admin token of a request.
 * @throws MdeError 401 `Unauthorized` (with `WWW-Authenticate`) when it is missing or wrong
 */
export function requireAdminToken(headers: IncomingHttpHeaders, expected: string): void {
  const given = Buffer.from(presentedToken(headers) ?? "");
  const wanted = Buffer.from(expected);
  if (given.length === wanted.length && timingSafeEqual(given, wanted)) return;
  throw new MdeError(
    401,
    "Unauthorized",
    `The admin API needs the emulator's admin token (printed at start): 'Authorization: Bearer <token>' or '${ADMIN_TOKEN_HEADER}: <token>'`,
    { "WWW-Authenticate": 'Bearer realm="mde-emulator-admin"' },
  );
}
