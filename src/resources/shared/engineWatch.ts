/**
 * Ends the provider process when the engine that started it is gone.
 *
 * The engine starts each provider with a pipe on its stdin and keeps the writing end open for the
 * provider's whole life. If the engine dies (killed, out of memory, a CI runner cancelled with
 * SIGKILL), nothing tells the provider: a Node.js provider keeps serving its gRPC port and keeps
 * working through the creates already queued in it, posting collections whose results nobody will
 * record. The engine's death closes the pipe, so end-of-file on stdin is the signal to stop: no
 * further collection starts, and what is in flight ends as it would have if the whole process tree
 * had been killed.
 */
import { fstatSync } from "node:fs";

/** Exit code of a provider that stopped because its engine was gone. */
export const ENGINE_GONE_EXIT_CODE = 70;

let watching = false;

/**
 * Starts watching stdin, once per process. Does nothing unless stdin is a pipe (the Go engine uses
 * pipe(2)) or a socket (what Node.js and libuv use for a child's "pipe"): a provider started by hand
 * for debugging (stdin a terminal or /dev/null) must not exit on its own.
 *
 * @param onGone - What to do when the engine is gone.
 * @default exits the process with {@link ENGINE_GONE_EXIT_CODE}
 * @returns Whether a watch is active (started now or before).
 */
export function exitWhenEngineGone(onGone: () => void = () => process.exit(ENGINE_GONE_EXIT_CODE)): boolean {
  if (watching) return true;
  try {
    const stdin = fstatSync(0);
    if (!stdin.isFIFO() && !stdin.isSocket()) return false;
  } catch {
    return false;
  }
  watching = true;
  let fired = false;
  const once = () => {
    if (fired) return;
    fired = true;
    onGone();
  };
  // Reading is what notices the end; the engine writes nothing, so nothing is lost.
  process.stdin.on("data", () => undefined);
  process.stdin.once("end", once);
  process.stdin.once("close", once);
  process.stdin.once("error", once);
  // The gRPC server keeps the process alive; the watch must not keep it alive on its own.
  (process.stdin as { unref?: () => void }).unref?.();
  return true;
}
