/**
 * Errors as the engine shows them: one redacted paragraph ending in the stable code in brackets, no
 * stack, shown once; a partial failure passed through (with its code at the end too) so the engine still
 * records the resource.
 */
import { isDefenderError } from "../../core/errors";
import { errorCode, userMessage } from "../../core/userMessage";
import { quietHostEcho } from "./hostEcho";
import { ResourceIncompleteError } from "./incompleteError";

/**
 * Cleans an error for the engine's output: `userMessage` with the error's code (`MDE_UNEXPECTED` for an
 * error that has none, a bug). The result carries no `code` property: the host would send a string code
 * as the gRPC status.
 */
export function surfaceError(error: unknown): Error {
  if (error instanceof ResourceIncompleteError) {
    const message = userMessage(error.message, error.code);
    error.message = message;
    error.reasons.splice(0, error.reasons.length, message);
    return quietHostEcho(error);
  }
  const raw = error instanceof Error ? error.message : String(error);
  return quietHostEcho(new Error(userMessage(raw, errorCode(error) ?? "MDE_UNEXPECTED")));
}

/**
 * The config key a settings error is about, so `check` reports it on that key and the engine names it.
 * @default "mde"
 */
export function failingConfigKey(error: unknown): string {
  return (
    (isDefenderError(error) ? error.configKey : undefined) ??
    /Invalid (mde:\w+)/.exec(error instanceof Error ? error.message : "")?.[1] ??
    "mde"
  );
}
