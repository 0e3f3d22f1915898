/**
 * What loading `pulumi-mde/provider` does before anything else, in a process of its own as the
 * dynamic-provider host loads it: on a Node.js older than 22.19 it fails with both versions named
 * (instead of a TypeError deep inside undici), and it starts watching its engine at once, so a provider
 * whose engine dies before the first `configure` still ends.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import test from "ava";

const ENTRY = path.join(__dirname, "..", "..", "src", "provider", "index.js");

function load(
  preamble: string,
  options: { closeStdin?: boolean } = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ["-e", `${preamble}; require(${JSON.stringify(ENTRY)}); setInterval(() => undefined, 1000);`],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  if (options.closeStdin) setTimeout(() => child.stdin.end(), 500);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

test("on Node.js older than 22.19 the provider fails at load, naming the version found and the one needed", async (t) => {
  const { code, stderr } = await load(
    'Object.defineProperty(process.versions, "node", { value: "20.20.2" })',
  );
  t.not(code, 0);
  t.regex(
    stderr,
    /pulumi-mde needs Node\.js 22\.19\.0 or later to run its provider; this is Node\.js 20\.20\.2/,
  );
  t.notRegex(stderr, /reading 'bind'/);
});

test("the provider watches its engine from load: stdin closing ends the process before any configure", async (t) => {
  const { code } = await load("", { closeStdin: true });
  t.is(code, 70, "exited with ENGINE_GONE_EXIT_CODE, not killed by the test's timeout");
});
