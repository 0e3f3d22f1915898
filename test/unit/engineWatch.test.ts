/**
 * The provider process ends when the engine that started it is gone (its stdin pipe closes), and
 * only then: a provider whose stdin is not a pipe (started by hand) keeps running.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import test from "ava";
import { ENGINE_GONE_EXIT_CODE } from "../../src/resources/shared/engineWatch";

const MODULE = path.join(__dirname, "..", "..", "src", "resources", "shared", "engineWatch.js");
// A stand-in for the provider process: the watch, and a timer in place of the gRPC server.
const CHILD = `
  const watching = require(${JSON.stringify(MODULE)}).exitWhenEngineGone();
  setInterval(() => undefined, 1000);
  process.stdout.write("watching:" + watching + "\\n");
`;

function start(stdin: "pipe" | "ignore") {
  const child = spawn(process.execPath, ["-e", CHILD], { stdio: [stdin, "pipe", "inherit"] });
  const ready = new Promise<string>((resolve) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, ready, exited };
}

test("stdin is a pipe: the process exits when its writer closes it", async (t) => {
  const { child, ready, exited } = start("pipe");
  t.teardown(() => child.kill("SIGKILL"));
  t.is(await ready, "watching:true");
  child.stdin?.end();
  t.deepEqual(await exited, { code: ENGINE_GONE_EXIT_CODE, signal: null });
});

test("stdin is not a pipe: nothing is watched, the process keeps running", async (t) => {
  const { child, ready, exited } = start("ignore");
  t.teardown(() => child.kill("SIGKILL"));
  t.is(await ready, "watching:false");
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(child.exitCode, null, "still running");
  child.kill("SIGTERM");
  t.deepEqual(await exited, { code: null, signal: "SIGTERM" });
});
