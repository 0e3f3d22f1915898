/**
 * Stops package transfers when the provider process is told to stop. When a deployment is interrupted
 * (a second Ctrl-C, a cancelled job), the engine closes its providers by sending SIGINT to each one's
 * process group, then SIGKILL five seconds later; SIGTERM is what a process supervisor sends. Node.js
 * would die at once and leave a `.part` file. Here the signal aborts every transfer (their staged files
 * are discarded), waits for them to end for at most {@link STOP_GRACE_IN_MS}, removes any partial file
 * still registered, and then dies of the same signal.
 *
 * The engine's first Ctrl-C is a Cancel call to the provider, which Pulumi's Node.js dynamic-provider host
 * answers without telling the provider: a transfer then runs on until it ends or `transferTimeoutInMinutes`
 * passes, which bounds that wait.
 */
import { removePartialFiles } from "./partialFiles";

/** Longest wait for transfers to end after a stop signal, in milliseconds (within the engine's 5 s). */
export const STOP_GRACE_IN_MS = 3_000;

const controller = new AbortController();
let running = 0;
let installed = false;
const idleWaiters: (() => void)[] = [];

async function stop(signal: NodeJS.Signals): Promise<void> {
  controller.abort(new Error(`the provider received ${signal}`));
  if (running > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_GRACE_IN_MS);
      idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  removePartialFiles();
  // Die of the signal, as the process would have without this handler.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

/**
 * The signal that aborts transfers when the process is told to stop; installs the handlers on first use.
 * Call it only in the provider process: a handler changes what SIGINT and SIGTERM do to the process.
 */
export function transferCancellation(): AbortSignal {
  if (!installed) {
    installed = true;
    let stopping = false;
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      // A second signal while the transfers clean up changes nothing: the first one's stop goes on.
      process.on(name, () => {
        if (stopping) return;
        stopping = true;
        void stop(name);
      });
    }
  }
  return controller.signal;
}

/** Runs `transfer` counted as running, so a stop signal waits (briefly) for it to clean up. */
export async function asRunningTransfer<T>(transfer: () => Promise<T>): Promise<T> {
  running++;
  try {
    return await transfer();
  } finally {
    running--;
    if (running === 0) for (const wake of idleWaiters.splice(0)) wake();
  }
}
