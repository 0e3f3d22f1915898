/**
 * Deterministic device ids, so the built-in fleet has the same ids in every run and tests can
 * name devices before the emulator starts.
 */
import { createHash } from "node:crypto";

/** A device id: 40 lowercase hex characters, the same for the same seed. */
export function deviceId(seed: string): string {
  return createHash("sha1").update(`mde-emulator-device:${seed}`).digest("hex");
}
