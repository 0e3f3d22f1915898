/**
 * Errors of the functions a program calls (`getMachines`), as the user meets them: the Node.js runtime
 * of `pulumi` prints an unhandled error with its stack and `util.inspect` in colour (every field of the
 * error, escape codes included), except a `RunError`, whose message alone it prints. So the error keeps
 * its class, code and fields for a program that catches it, and is marked the way `RunError` is.
 */
import { DefenderError } from "../core/errors";
import { errorCode, userMessage } from "../core/userMessage";

/**
 * `error` as one paragraph ending in its code (`MDE_UNEXPECTED` wraps an error that has none), without
 * stack frames, marked to be printed by its message alone when the program does not catch it.
 */
export function programError(error: unknown): Error {
  const code = errorCode(error);
  const coded =
    code !== undefined && error instanceof Error
      ? error
      : new DefenderError("MDE_UNEXPECTED", error instanceof Error ? error.message : String(error), {
          cause: error,
        });
  coded.message = userMessage(coded.message, errorCode(coded) ?? "MDE_UNEXPECTED");
  coded.stack = `${coded.name}: ${coded.message}`;
  // The field RunError.isInstance looks for: it works across copies of @pulumi/pulumi, which an
  // `instanceof RunError` would not.
  Object.defineProperty(coded, "__pulumiRunError", { value: true, enumerable: false });
  return coded;
}
