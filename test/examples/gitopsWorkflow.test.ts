/**
 * The GitOps example's GitHub Actions workflow passes actionlint (built from the Go module proxy, the
 * version pinned here), and actionlint here does catch a broken workflow.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { REPO_ROOT } from "pulumi-mde-harness";

const ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12";
const WORKFLOW = path.join(REPO_ROOT, "examples", "gitops", ".github", "workflows", "respond.yml");
const run = promisify(execFile);

async function actionlint(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run("go", ["run", ACTIONLINT, "-no-color", file], {
      cwd: os.tmpdir(),
      env: { ...process.env, GOFLAGS: "-mod=mod" },
      timeout: 240_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

test.serial("the respond workflow passes actionlint", async (t) => {
  const result = await actionlint(WORKFLOW);
  t.is(result.code, 0, result.output);
});

test.serial("actionlint catches a broken copy of it (the check is real)", async (t) => {
  const broken = readFileSync(WORKFLOW, "utf8").replace(
    "runs-on: ubuntu-latest",
    "runs-on: ubuntu-latest\n    timeout: 5",
  );
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "actionlint-")), "respond.yml");
  writeFileSync(file, broken);
  const result = await actionlint(file);
  t.not(result.code, 0);
  t.regex(result.output, /timeout/);
});
