/**
 * The dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) prints every error that `check`, `diff`,
 * `read` or `delete` throws to the provider's stderr as `${error}: ${error.stack}` before answering the
 * engine with it, and the engine shows both: a provider's stderr lines as they come, then the error. So a
 * user saw each such error twice, once with a stack trace. The errors this package surfaces are shown once,
 * by the engine: their echo line is dropped here.
 *
 * Only the exact line of an error passed to {@link quietHostEcho} is dropped, once; anything else the
 * host, or another dynamic provider sharing the process, prints goes through unchanged.
 */

/** Echo lines still expected. Bounded: `create` and `update` errors are answered without an echo. */
const expected = new Set<string>();
const MAX_EXPECTED = 1000;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && expected.delete(args[0])) return;
    original(...args);
  };
}

/**
 * Marks `error` as shown by the engine: its stack is reduced to its message (no frames), and the host's
 * echo of it is dropped. Returns `error`.
 */
export function quietHostEcho<E extends Error>(error: E): E {
  install();
  error.stack = `${error.name}: ${error.message}`;
  expected.add(`${error}: ${error.stack}`);
  if (expected.size > MAX_EXPECTED) {
    const oldest = expected.values().next().value;
    if (oldest !== undefined) expected.delete(oldest);
  }
  return error;
}
