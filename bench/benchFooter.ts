/** The lines under the table: date and duration, machine, load, time scales, runs, engine setting. */
import type { BenchPlan } from "./benchPlan";
import type { MachineInfo } from "./machineInfo";
import { minuteMs } from "./postTimeline";

/** What {@link benchFooter} describes. */
export interface FooterFacts {
  readonly started: Date;
  readonly startLoad: string;
  readonly endLoad: string;
  readonly machine: MachineInfo;
  readonly plan: BenchPlan;
  readonly quick: boolean;
}

const scale = (x: number) => `x${x} (1 emulated minute = ${(minuteMs(x) / 1000).toFixed(1)} real s)`;

/** The footer lines. */
export function benchFooter(f: FooterFacts): string[] {
  const { machine, plan: p } = f;
  const minutes = (Date.now() - f.started.getTime()) / 60_000;
  const footer = [
    `Date: ${f.started.toISOString()}; the bench took ${minutes.toFixed(1)} min.`,
    `Machine: ${machine.cpus} CPUs, ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB, ${machine.os}; Node ${machine.nodeVersion}, pulumi v${machine.pulumiVersion}.`,
    `Load average (1, 5, 15 min): ${f.startLoad} at start, ${f.endLoad} at end (a shared machine: expect noise).`,
    `Time scales (emulator timeScale = provider mde:timeScale): throughput and naive ${scale(p.throughput.timeScale)}; hour cap ${scale(p.hourCap.timeScale)}; overhead real time, limits off; wait ${scale(p.wait.timeScale)}; refresh real time (its setup moves the emulator's clock a minute per 100 collections); download ${scale(p.download.timeScale)}; vault (when run) ${scale(p.vault.timeScale)}, Azurite on disk.`,
    `Runs: throughput ${p.throughput.runs}, hour cap ${p.hourCap.runs} (the longest scenario), overhead ${p.overhead.runs} pairs per engine setting, naive ${p.naive.runs} per variant, wait ${p.wait.runs}, refresh ${p.refresh.runs} (one setup), download ${p.download.runs} plus ${p.download.memory.runs} memory pairs, vault ${p.vault.runs} pairs; verdicts judge the worst run.`,
    "Engine: PULUMI_SKIP_CHECKPOINTS=true (state written once, at the end) except the overhead rows marked default engine; see bench/README.md.",
  ];
  if (f.quick) footer.unshift("QUICK MODE: reduced N, single runs; not a measurement.");
  return footer;
}
