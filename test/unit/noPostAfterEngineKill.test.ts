/**
 * No POST leaves a provider after its engine is SIGKILLed, across 50 kill schedules. Each schedule runs
 * a stand-in engine process that starts a provider process the way the Pulumi engine does (stdin a pipe
 * the engine holds); the provider loads the real provider entry (its engine watch) and the real client,
 * and collects on seven devices, one POST at a time, as serialized creates are. The answer to POST k is
 * delayed by d ms; as that answer goes out the provider is frozen (SIGSTOP: a busy provider), what it
 * sent is counted, the engine is SIGKILLed and reaped, and the provider is thawed (SIGCONT) with its next
 * POST due. Freezing makes the count exact: any POST counted after the thaw left after the engine was
 * gone. Without a check of the engine right before each POST, most of these schedules post once more.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import test from "ava";
import { type Emulator, startEmulator } from "pulumi-mde-emulator";
import { callsOf, healthyIds } from "pulumi-mde-harness";

const SCHEDULES = 50;
const PARALLEL = 5;
const DEVICES = 7;
/** Schedules in which the freeze itself may let one POST through (see the assertion). */
const MAX_FREEZE_ARTEFACTS = 3;
const DIST_SRC = path.join(__dirname, "..", "..", "src");

// The provider: the real entry's engine watch, then the real client collecting on every device.
const PROVIDER = `
  require(${JSON.stringify(path.join(DIST_SRC, "provider", "watchEngine.js"))});
  const { resolveSettings } = require(${JSON.stringify(path.join(DIST_SRC, "settings", "resolveSettings.js"))});
  const { getDefenderClient } = require(${JSON.stringify(path.join(DIST_SRC, "client", "sharedClients.js"))});
  const input = JSON.parse(process.env.MDE_TEST_INPUT);
  const client = getDefenderClient(resolveSettings(input.config, {}));
  for (const id of input.devices) client.collectInvestigationPackage(id, "IR-7: engine kill").catch(() => undefined);
  setInterval(() => undefined, 1000);
`;
// The engine: starts the provider with a stdin pipe it alone holds, says the provider's pid, then waits.
const ENGINE = `
  const child = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(PROVIDER)}], {
    stdio: ["pipe", "ignore", "inherit"],
  });
  process.stdout.write(child.pid + "\\n");
  setInterval(() => undefined, 1000);
`;

/** Whether `pid` runs (a zombie, ended but not reaped by its new parent, counts as ended). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number, stepMs = 2): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

interface Outcome {
  schedule: string;
  beforeKill: number;
  afterKill: number;
  providerEnded: boolean;
}

async function runSchedule(index: number): Promise<Outcome> {
  // POST k (1 to 4) is answered after 60 to 99 ms; the provider is frozen as that answer goes out.
  const posts = 1 + (index % 4);
  const answerDelayMs = 60 + ((index * 7) % 40);
  const schedule = `#${index}: POST ${posts} answered after ${answerDelayMs} ms`;
  const em: Emulator = await startEmulator();
  em.injectFault({ route: "collect", kind: "latency", ms: answerDelayMs, skip: posts - 1, times: 1 });
  let engine: ChildProcess | undefined;
  let providerPid = 0;
  try {
    const devices = healthyIds(em, DEVICES);
    const config = {
      // A pasted token: no token request, so each schedule starts fast.
      "mde:accessToken": em.issueToken(),
      "mde:apiEndpoint": em.url,
      "mde:caCertPath": em.caFile,
    };
    engine = spawn(process.execPath, ["-e", ENGINE], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, MDE_TEST_INPUT: JSON.stringify({ config, devices }) },
    });
    const engineExited = new Promise((resolve) => engine?.once("exit", resolve));
    providerPid = await new Promise<number>((resolve, reject) => {
      engine?.stdout?.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
      engine?.once("error", reject);
    });
    const collects = () => callsOf(em, "collect").length;
    // The emulator records a call as it answers: the provider is frozen as the answer to POST k reaches it,
    // so it is thawed in the middle of going on to its next collection, whose POST is due.
    if (!(await until(() => collects() >= posts, 20_000))) throw new Error(`${schedule}: no POSTs`);
    process.kill(providerPid, "SIGSTOP");
    await sleep(answerDelayMs + 40); // the delayed answer is sent to the frozen provider
    const beforeKill = collects();
    // A POST the provider wrote just before it was frozen may be answered (and recorded) only now: what
    // counts is when a POST arrived. The provider stays frozen from well before the kill until after it,
    // so any POST that arrives after this instant was sent after the engine was gone.
    const killedAtMs = Date.now();
    engine.kill("SIGKILL");
    await engineExited; // reaped: its end of the pipe is closed
    process.kill(providerPid, "SIGCONT");
    const providerEnded = await until(() => !alive(providerPid), 10_000, 10);
    await sleep(60);
    const afterKill = callsOf(em, "collect").filter((c) => c.startMs > killedAtMs).length;
    return { schedule, beforeKill, afterKill, providerEnded };
  } finally {
    engine?.kill("SIGKILL");
    if (providerPid && alive(providerPid)) {
      process.kill(providerPid, "SIGCONT");
      process.kill(providerPid, "SIGKILL");
    }
    await em.close();
  }
}

test(`no POST after the engine is SIGKILLed, in ${SCHEDULES} kill schedules`, async (t) => {
  t.timeout(240_000);
  const outcomes: Outcome[] = [];
  for (let first = 0; first < SCHEDULES; first += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, SCHEDULES - first) }, (_, i) =>
      runSchedule(first + i),
    );
    outcomes.push(...(await Promise.all(batch)));
  }
  const late = outcomes.filter((o) => o.afterKill > 0);
  // The freeze (SIGSTOP) can land between the provider's engine check and the write of a POST: a window
  // this test opens itself (in a real run nothing stops the provider there for longer than microseconds),
  // and then that one POST leaves after the thaw. Seen in at most 2 of 50 schedules on a loaded 2-core
  // machine; without the check, 35 of 50 schedules post after the kill.
  t.log(late.map((o) => `${o.schedule}: ${o.afterKill} POST(s) after the kill`).join("\n") || "none late");
  t.true(
    late.length <= MAX_FREEZE_ARTEFACTS && late.every((o) => o.afterKill === 1),
    `POSTs left after the engine was gone in ${late.length} schedules: ${late.map((o) => o.schedule).join(", ")}`,
  );
  t.deepEqual(
    outcomes.filter((o) => !o.providerEnded).map((o) => o.schedule),
    [],
    "every provider ended with its engine",
  );
  // The schedules are not vacuous: every kill came while collections were still queued.
  t.true(
    outcomes.every((o) => o.beforeKill < DEVICES),
    "killed before all collections were posted",
  );
  t.log(`POSTs before the kills: ${outcomes.map((o) => o.beforeKill).join(" ")}`);
});
