/**
 * Ends the provider process when the engine that started it is gone.
 *
 * The engine starts each provider with a pipe on its stdin and keeps the writing end open for the
 * provider's whole life. If the engine dies (killed, out of memory, a CI runner cancelled with
 * SIGKILL), nothing tells the provider: a Node.js provider keeps serving its gRPC port and keeps
 * working through the creates already queued in it, posting collections whose results nobody will
 * record. The engine's death closes the pipe, so end-of-file on stdin is the signal to stop: no
 * further collection starts, and what is in flight ends as it would have if the whole process tree
 * had been killed. The same end-of-file is also checked synchronously right before every POST, so a
 * POST already due when the engine died is not sent either.
 */
import { fstatSync, readFileSync, readSync } from "node:fs";
import { setEngineProbe } from "../../core/engineLiveness";

/** Exit code of a provider that stopped because its engine was gone. */
export const ENGINE_GONE_EXIT_CODE = 70;

let watching = false;

/** `O_NONBLOCK` in the `flags` of /proc/self/fdinfo (octal, as Linux prints it). */
const O_NONBLOCK = 0o4000;
const oneByte = Buffer.alloc(1);

/**
 * Whether stdin has reached end-of-file, asked now rather than when the event loop gets to it. Reads
 * at most one byte, only when stdin is known to be non-blocking (libuv makes a pipe it reads
 * non-blocking; Linux shows it in /proc), so the read can never wait: `EAGAIN` means open and empty,
 * 0 bytes means the writer is gone. Where this cannot be known, false: the event-based watch stays.
 */
function stdinAtEnd(): boolean {
  let flags: number;
  try {
    const match = /^flags:\s*([0-7]+)$/m.exec(readFileSync("/proc/self/fdinfo/0", "utf8"));
    if (!match) return false;
    flags = Number.parseInt(match[1] as string, 8);
  } catch {
    return false;
  }
  if ((flags & O_NONBLOCK) === 0) return false;
  try {
    // The engine writes nothing to this pipe, so a byte read here is not taken from anyone.
    return readSync(0, oneByte, 0, 1, null) === 0;
  } catch {
    return false;
  }
}

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
  // Asked right before each POST (core/engineLiveness.ts): the events above come a turn too late for work
  // already due when the engine died.
  setEngineProbe(() => {
    if (!fired && stdinAtEnd()) once();
    return !fired;
  });
  return true;
}
