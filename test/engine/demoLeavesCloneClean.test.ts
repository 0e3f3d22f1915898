/**
 * `npm start` (scripts/main.ts) leaves the clone as it found it: everything it keeps (state, config,
 * evidence) stays in its demo folder, and no `Pulumi.<stack>.yaml` appears beside the root
 * `Pulumi.yaml` (creating a stack writes one there unless told otherwise). The demo folder is a temp
 * folder here (`MDE_DEMO_DIR`), so the test never touches a developer's own `.demo/`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { npmEnv, REPO_ROOT } from "pulumi-mde-harness";

/** Root-level stack config files changed at or after `sinceMs`. */
function stackFilesTouched(sinceMs: number): string[] {
  return readdirSync(REPO_ROOT)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .filter((f) => statSync(path.join(REPO_ROOT, f)).mtimeMs >= sinceMs);
}

function demo(args: string[], demoDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      [path.join(REPO_ROOT, "dist", "scripts", "main.js"), ...args],
      {
        cwd: REPO_ROOT,
        env: npmEnv({ MDE_DEMO_DIR: demoDir }),
        timeout: 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const raw = error ? (error as { code?: unknown }).code : 0;
        resolve({ code: typeof raw === "number" ? raw : -1, output: stdout + stderr });
      },
    );
  });
}

test("npm start writes no stack config file into the clone, and --destroy removes what it kept", async (t) => {
  const demoDir = mkdtempSync(path.join(os.tmpdir(), "pulumi-mde-demo-"));
  t.teardown(() => rmSync(demoDir, { recursive: true, force: true }));
  const started = Date.now() - 1000;

  const run = await demo([], demoDir);
  t.is(run.code, 0, run.output);
  t.regex(run.output, /Chain of custody \(\d+ devices\)/);
  t.deepEqual(stackFilesTouched(started), [], "no Pulumi.<stack>.yaml written beside the root Pulumi.yaml");
  t.true(existsSync(path.join(demoDir, "Pulumi.demo.yaml")), "the stack's config is in the demo folder");

  const again = await demo([], demoDir);
  t.is(again.code, 0, again.output);
  t.regex(again.output, /Nothing to do/);

  const destroyed = await demo(["--destroy"], demoDir);
  t.is(destroyed.code, 0, destroyed.output);
  t.deepEqual(stackFilesTouched(started), []);
  t.deepEqual(
    readdirSync(demoDir).sort(),
    ["evidence"],
    "only the evidence stays (destroy never deletes evidence)",
  );
});
