/**
 * Peak memory and CPU time of the processes an engine operation starts, read from /proc while it runs:
 * the dynamic-provider process (where the provider's own cost lands) and the `pulumi` CLI (the engine,
 * where the cost of a heavier state lands).
 *
 * The engine starts `pulumi-resource-pulumi-nodejs` (a shell script) which runs
 * `node .../@pulumi/pulumi/cmd/dynamic-provider`; that node process is the provider. Other people's
 * engines on the same machine run the same command lines, so only descendants of this process count.
 */
import { readdirSync, readFileSync } from "node:fs";

/** What was seen of one kind of process. */
export interface ProcessUsage {
  /** Highest `VmHWM` (peak resident set) of any such process, bytes; 0 when none was seen. */
  readonly peakBytes: number;
  /** User + system CPU time, summed over such processes, seconds. */
  readonly cpuSeconds: number;
  /** How many such processes were seen. */
  readonly processes: number;
}

/** Usage of the engine's processes during a watch. */
export interface EngineUsage {
  /** The dynamic-provider node process(es). */
  readonly provider: ProcessUsage;
  /** The `pulumi` CLI process(es). */
  readonly engine: ProcessUsage;
}

/** A running watch; {@link EngineProcessWatch.stop} ends it. */
export interface EngineProcessWatch {
  stop(): EngineUsage;
}

/** An argument naming the provider's entry point (`.../cmd/dynamic-provider` or its `index.js`). */
const PROVIDER_ENTRY = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/;

/** Linux reports CPU time in USER_HZ ticks, which is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

type Kind = "provider" | "engine";

interface Seen {
  kind: Kind;
  peakBytes: number;
  cpuSeconds: number;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // The process ended between listing and reading: normal while polling.
    return undefined;
  }
}

/** Fields of /proc/<pid>/stat after the command name (field 3 onwards), which may contain spaces. */
function statFields(pid: number): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; hops++) {
    if (p === ancestor) return true;
    const ppid: number = Number(statFields(p)?.[1]);
    p = Number.isInteger(ppid) ? ppid : undefined;
  }
  return false;
}

function kindOf(argv: readonly string[]): Kind | undefined {
  const program = argv[0] ?? "";
  // Only the node process counts as the provider, not the shell script that starts it.
  if (/(^|\/)node$/.test(program) && argv.some((a) => PROVIDER_ENTRY.test(a))) return "provider";
  if (/(^|\/)pulumi$/.test(program)) return "engine";
  return undefined;
}

/** Current `VmHWM` (bytes) and CPU time (s) of a process, or undefined when it is gone. */
function sample(pid: number): { peakBytes: number; cpuSeconds: number } | undefined {
  const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(readText(`/proc/${pid}/status`) ?? "")?.[1];
  const fields = statFields(pid);
  if (!kb || !fields) return undefined;
  // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after the command name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakBytes: Number(kb) * 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
}

function total(seen: Iterable<Seen>, kind: Kind): ProcessUsage {
  const of = [...seen].filter((s) => s.kind === kind);
  return {
    peakBytes: Math.max(0, ...of.map((s) => s.peakBytes)),
    cpuSeconds: of.reduce((sum, s) => sum + s.cpuSeconds, 0),
    processes: of.length,
  };
}

/**
 * Polls /proc every `intervalMs` for engine and provider processes started under this process and
 * keeps the last sample of each. `VmHWM` and CPU time only grow, so the last sample before a process
 * exits is its total up to that moment (at most one interval is missed).
 */
export function watchEngineProcesses(intervalMs = 100): EngineProcessWatch {
  const seen = new Map<number, Seen>();
  // Processes that are not ours; ancestry does not change back, so they are never looked at again.
  const foreign = new Set<number>();
  const poll = () => {
    let entries: string[];
    try {
      entries = readdirSync("/proc");
    } catch {
      return; // not Linux: no figures
    }
    for (const entry of entries) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || foreign.has(pid)) continue;
      let known = seen.get(pid);
      if (!known) {
        const argv = readText(`/proc/${pid}/cmdline`)?.split("\0");
        if (!argv) continue;
        if (!descendsFrom(pid, process.pid)) {
          foreign.add(pid);
          continue;
        }
        // A descendant of no interest is looked at again: between fork and exec it still shows its
        // parent's command line.
        const kind = kindOf(argv);
        if (!kind) continue;
        known = { kind, peakBytes: 0, cpuSeconds: 0 };
        seen.set(pid, known);
      }
      const now = sample(pid);
      if (now) {
        known.peakBytes = Math.max(known.peakBytes, now.peakBytes);
        known.cpuSeconds = Math.max(known.cpuSeconds, now.cpuSeconds);
      }
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      return { provider: total(seen.values(), "provider"), engine: total(seen.values(), "engine") };
    },
  };
}
