/**
 * Errors as the engine shows them: redacted, stable code kept in front of the brackets, and a partial
 * failure passed through so the engine still records the resource.
 */
import { isDefenderError } from "../../core/errors";
import { redact } from "../../core/redact";
import { ResourceIncompleteError } from "./incompleteError";

/** Cleans an error for the engine's output: redacted message, stable code in brackets. */
export function surfaceError(error: unknown): Error {
  if (error instanceof ResourceIncompleteError) return error;
  if (isDefenderError(error)) return new Error(redact(`${error.message} [${error.code}]`));
  return new Error(redact(error instanceof Error ? error.message : String(error)));
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
