/**
 * Ends the `mde-emulator` command with the command that launched it. `npx mde-emulator` runs the bin
 * as npm → `sh -c` → node: npm forwards SIGINT and SIGTERM to the shell only. The shell dies of
 * SIGTERM and leaves node running under init; a killed npm leaves both. So the CLI watches its
 * parent (and npm, when npm launched it) and stops when one is gone.
 */
import { readFileSync } from "node:fs";

/** How often the launcher is looked at, in ms. */
export const LAUNCHER_POLL_INTERVAL_IN_MS = 500;

interface Watched {
  pid: number;
  /** Start time from /proc (clock ticks since boot), to tell a reused pid; undefined without /proc. */
  startTicks: string | undefined;
}

/** Fields of /proc/<pid>/stat after the command name, or undefined (no /proc, or no such process). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces or parentheses itself.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function watched(pid: number): Watched {
  return { pid, startTicks: statFields(pid)?.[19] };
}

/** Whether `w` still runs: not gone, not a zombie, not a new process with its pid. */
function running(w: Watched): boolean {
  try {
    process.kill(w.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  const fields = statFields(w.pid);
  if (!fields) return w.startTicks === undefined;
  return fields[0] !== "Z" && fields[0] !== "X" && fields[19] === w.startTicks;
}

/**
 * Calls `onGone` once when this process's parent ends (this process is re-parented) or, when npm
 * launched it (`npm_command` set), when npm ends. Returns a function that stops watching. The timer
 * does not keep the process alive.
 */
export function watchLauncher(
  onGone: (why: string) => void,
  options: { intervalInMs?: number; env?: NodeJS.ProcessEnv } = {},
): () => void {
  const env = options.env ?? process.env;
  const parent = process.ppid;
  const targets: Array<{ w: Watched; name: string }> = [{ w: watched(parent), name: "its parent process" }];
  if (env.npm_command !== undefined) {
    const npm = Number(statFields(parent)?.[1]);
    if (Number.isInteger(npm) && npm > 1) targets.push({ w: watched(npm), name: "npm, its launcher" });
  }
  let fired = false;
  const timer = setInterval(() => {
    if (fired) return;
    const gone = process.ppid !== parent ? "its parent process" : targets.find((t) => !running(t.w))?.name;
    if (gone === undefined) return;
    fired = true;
    clearInterval(timer);
    onGone(`${gone} ended`);
  }, options.intervalInMs ?? LAUNCHER_POLL_INTERVAL_IN_MS);
  timer.unref();
  return () => clearInterval(timer);
}
