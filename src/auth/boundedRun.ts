/**
 * Runs a child process with a hard bound on how long it and everything it started may live. On timeout
 * the child's whole process group gets SIGTERM, then SIGKILL after a grace period: a CLI that traps
 * SIGTERM, or a grandchild it started (a `sleep`, a credential helper), cannot hold the deployment, and
 * nothing of the run is left behind. `execFile` alone sends one signal to the direct child only and then
 * waits for its output pipes to close, which never happens while a grandchild keeps them open.
 */
import { spawn } from "node:child_process";

/** Default time between SIGTERM and SIGKILL of a timed-out run, in milliseconds. */
export const DEFAULT_KILL_GRACE_IN_MS = 2_000;

/**
 * How long to wait for the child's exit after SIGKILL, in milliseconds, before giving up on it: SIGKILL
 * cannot be caught, so only a process stuck in the kernel (a dead network mount) outlives this.
 */
const AFTER_KILL_WAIT_MS = 2_000;

/** Options of {@link boundedRun}. */
export interface BoundedRunOptions {
  /** How long the run may take, in milliseconds, before its process group is stopped. */
  timeoutMs: number;
  /**
   * Time between SIGTERM and SIGKILL of the process group after the timeout, in milliseconds.
   * @default DEFAULT_KILL_GRACE_IN_MS (2000)
   */
  killGraceInMs?: number;
  /** Largest output kept per stream, in bytes; more is a failure (`errno` `ENOBUFS`). */
  maxOutputBytes: number;
}

/** How a run ended. */
export interface BoundedRunResult {
  /** Standard output, UTF-8 (up to the limit). */
  stdout: string;
  /** Standard error, UTF-8 (up to the limit). */
  stderr: string;
  /** Exit code when the process exited by itself. */
  exitCode?: number;
  /** `errno` code of a spawn failure (`ENOENT`, `EACCES`) or `ENOBUFS` for too much output. */
  errno?: string;
  /** True when the run was stopped after the timeout. */
  timedOut?: boolean;
}

/** Sends `signal` to the process group led by `pid` (or to the process alone where groups do not exist). */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === "win32" ? pid : -pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * Runs `command` with `args` (no shell), stdin closed, in its own process group. Never rejects: every
 * outcome is described by the result. Resolves at the latest `timeoutMs + killGraceInMs` plus a short
 * wait for the kernel to end the killed processes.
 */
export function boundedRun(
  command: string,
  args: readonly string[],
  options: BoundedRunOptions,
): Promise<BoundedRunResult> {
  const graceMs = options.killGraceInMs ?? DEFAULT_KILL_GRACE_IN_MS;
  return new Promise((resolve) => {
    // detached: the child leads a new process group, so the group signal reaches its children too. stdin is
    // /dev/null: a CLI that would prompt fails at once instead of waiting for the timeout.
    const child = spawn(command, [...args], {
      detached: process.platform !== "win32",
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const size = { out: 0, err: 0 };
    let done = false;
    let timedOut = false;
    let overflow = false;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (result: Omit<BoundedRunResult, "stdout" | "stderr">) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ...result,
      });
    };
    let exited = false;
    const stop = () => {
      signalGroup(child.pid, "SIGTERM");
      if (exited) {
        // The leader ended already and something it started holds the output open: no grace for that.
        signalGroup(child.pid, "SIGKILL");
        finish(overflow && !timedOut ? { errno: "ENOBUFS" } : { timedOut: true });
        return;
      }
      killTimer = setTimeout(() => {
        signalGroup(child.pid, "SIGKILL");
        // Bounded even if the kernel never reports the exit.
        killTimer = setTimeout(() => finish({ timedOut: true }), AFTER_KILL_WAIT_MS);
      }, graceMs);
    };
    const collect = (chunks: Buffer[], key: "out" | "err") => (chunk: Buffer) => {
      size[key] += chunk.length;
      if (size[key] > options.maxOutputBytes) {
        if (!overflow) {
          overflow = true;
          stop();
        }
        return;
      }
      chunks.push(chunk);
    };
    child.stdout?.on("data", collect(out, "out"));
    child.stderr?.on("data", collect(err, "err"));

    const deadline = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);

    child.once("error", (e: NodeJS.ErrnoException) => {
      // A spawn failure: nothing runs. After a spawn, errors come only from signalling, which stop() ignores.
      if (child.pid === undefined) finish({ errno: typeof e.code === "string" ? e.code : "ESPAWN" });
    });
    child.once("exit", () => {
      exited = true;
      if (timedOut || overflow) {
        // The leader is gone; whatever it started that survived SIGTERM is not waited for.
        signalGroup(child.pid, "SIGKILL");
        finish(overflow && !timedOut ? { errno: "ENOBUFS" } : { timedOut: true });
      }
    });
    child.once("close", (code) => {
      // All output read and the process ended: the normal end of a run.
      if (timedOut || overflow) finish(overflow && !timedOut ? { errno: "ENOBUFS" } : { timedOut: true });
      else finish(code === null ? { errno: "ESIGNAL" } : { exitCode: code });
    });
  });
}
