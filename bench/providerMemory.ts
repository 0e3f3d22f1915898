/**
 * Peak memory of the dynamic-provider process, read from /proc while an engine operation runs.
 *
 * The engine starts `pulumi-resource-pulumi-nodejs` (a shell script) which runs
 * `node .../@pulumi/pulumi/cmd/dynamic-provider`; that node process is the provider. Other people's
 * engines on the same machine start the same command line, so only descendants of this process count.
 */
import { readdirSync, readFileSync } from "node:fs";

/** What a {@link ProviderMemoryWatch} saw. */
export interface ProviderMemory {
  /** Highest `VmHWM` (peak resident set) of any provider process seen, in bytes; 0 when none was seen. */
  readonly peakBytes: number;
  /** Provider processes seen during the watch. */
  readonly processes: number;
}

/** A running watch; {@link ProviderMemoryWatch.stop} ends it. */
export interface ProviderMemoryWatch {
  stop(): ProviderMemory;
}

/** An argument naming the provider's entry point (`.../cmd/dynamic-provider` or its `index.js`). */
const PROVIDER_ENTRY = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // The process ended between listing and reading: normal while polling.
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) may contain spaces and parentheses: fields resume after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; hops++) {
    if (p === ancestor) return true;
    p = parentOf(p);
  }
  return false;
}

/** `VmHWM` of a process in bytes, or undefined when it is gone. */
function highWaterMark(pid: number): number | undefined {
  const status = readText(`/proc/${pid}/status`);
  const kb = status && /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : undefined;
}

/**
 * Polls /proc every `intervalMs` for provider processes started under this process and keeps the last
 * `VmHWM` read from each. The high-water mark only grows, so the last value read before the process
 * exits is its peak up to that moment (at most one interval is missed).
 */
export function watchProviderMemory(intervalMs = 100): ProviderMemoryWatch {
  const peaks = new Map<number, number>();
  // Processes that are not ours; ancestry does not change back, so they are never looked at again.
  const foreign = new Set<number>();
  const poll = () => {
    let entries: string[];
    try {
      entries = readdirSync("/proc");
    } catch {
      return; // not Linux: no figure
    }
    for (const entry of entries) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || foreign.has(pid)) continue;
      if (!peaks.has(pid)) {
        const argv = readText(`/proc/${pid}/cmdline`)?.split("\0");
        if (!argv) continue;
        // Only the node process counts, not the shell script that starts it. A descendant that is not
        // (yet) the provider is looked at again: between fork and exec it still shows its parent's argv.
        const isProvider = /(^|\/)node$/.test(argv[0] ?? "") && argv.some((a) => PROVIDER_ENTRY.test(a));
        if (!descendsFrom(pid, process.pid)) {
          foreign.add(pid);
          continue;
        }
        if (!isProvider) continue;
      }
      const hwm = highWaterMark(pid);
      if (hwm !== undefined) peaks.set(pid, Math.max(hwm, peaks.get(pid) ?? 0));
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      return { peakBytes: Math.max(0, ...peaks.values()), processes: peaks.size };
    },
  };
}
