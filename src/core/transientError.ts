/**
 * Which failures are worth running again as they are: the service or the network failed. Every
 * other failure (configuration, sign-in, permissions, a refused request) says what to fix first,
 * and advice to simply run `pulumi up` again would be wrong for it.
 */
import type { DefenderErrorCode } from "./errors";

/** Codes of failures that a later run, unchanged, may not meet. */
export const TRANSIENT_ERROR_CODES: ReadonlySet<DefenderErrorCode> = new Set<DefenderErrorCode>([
  "MDE_HTTP_TIMEOUT",
  "MDE_CONNECTION_RESET",
  "MDE_CONNECTION_REFUSED",
  "MDE_NETWORK_ERROR",
  "MDE_THROTTLED",
  "MDE_SERVER_ERROR",
]);

/** Whether a failure with `code` is transient: the service or the network, not something to fix. */
export function isTransientCode(code: DefenderErrorCode): boolean {
  return TRANSIENT_ERROR_CODES.has(code);
}
