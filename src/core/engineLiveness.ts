/**
 * Whether the Pulumi engine that started this process is still there, asked synchronously right before
 * a request with an effect (a POST) is sent. The watch on the engine (resources/shared/engineWatch.ts)
 * ends the process when it notices the engine is gone, but it notices through an event: work already
 * due in the same turn of the event loop (a rate limiter's timer, a response that frees the next queued
 * collection) would run first and post for an engine that can no longer record the result. The probe is
 * registered by that watch; this module lets the client ask without depending on the resources layer.
 */
import { DefenderError } from "./errors";

// Module-level: one engine per process.
let probe: (() => boolean) | undefined;

/**
 * Registers how to tell whether the engine is alive (`undefined` removes it). The probe returns false
 * once the engine is gone; it may end the process itself.
 */
export function setEngineProbe(check: (() => boolean) | undefined): void {
  probe = check;
}

/**
 * Throws when the engine is known to be gone; does nothing when no probe is registered (a provider
 * started by hand, a program using the client directly).
 * @param what - The request about to be sent, for the message, e.g. `collect on <device>`.
 * @throws DefenderError `MDE_ABORTED` with `delivery: "notDelivered"`: nothing was sent.
 */
export function assertEngineAlive(what: string): void {
  if (!probe || probe()) return;
  throw new DefenderError(
    "MDE_ABORTED",
    `Not sending ${what}: the Pulumi engine that started this provider is gone, so nothing would record the ` +
      "result. Run `pulumi up` again (after `pulumi cancel` if the stack is still locked).",
    { delivery: "notDelivered" },
  );
}
