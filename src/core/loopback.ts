/**
 * Loopback addresses: the only hosts a bearer token may reach over plain `http://`, and the ones no
 * proxy may stand between us and.
 */
import { isIP } from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "[::1]", "::1"]);

/**
 * True for 127.0.0.0/8, ::1 and `localhost`: addresses that cannot leave the machine. Other names under
 * `.localhost` are not counted: only the resolver decides where they go, and a proxy resolves them itself.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(host)) return true;
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
  return false;
}
