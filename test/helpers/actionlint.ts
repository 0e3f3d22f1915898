/**
 * actionlint (built from the Go module proxy, the version pinned here) on a workflow file, and the
 * `run:` script of a named step, for tests that check GitHub Actions workflows.
 */
import { execFile } from "node:child_process";
import os from "node:os";
import { promisify } from "node:util";

/** The pinned actionlint. */
export const ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12";

const run = promisify(execFile);

/** Runs actionlint on `file`: exit code and what it printed. */
export async function actionlint(file: string): Promise<{ code: number; output: string }> {
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

/**
 * The `run: |` script of the step named `name` in `workflow` (its lines, de-indented).
 * @throws Error when no such step has a block script
 */
export function stepScript(workflow: string, name: string): string {
  const lines = workflow.split("\n");
  const start = lines.findIndex((l) => l.trim() === `- name: ${name}`);
  if (start < 0) throw new Error(`no step named ${name}`);
  const runLine = lines.findIndex((l, i) => i > start && /^\s+run: \|\s*$/.test(l));
  if (runLine < 0) throw new Error(`step ${name} has no run: | script`);
  const indent = " ".repeat((/^\s*/.exec(lines[runLine] ?? "")?.[0].length ?? 0) + 2);
  const body: string[] = [];
  for (const line of lines.slice(runLine + 1)) {
    if (line.trim() !== "" && !line.startsWith(indent)) break;
    body.push(line.slice(indent.length));
  }
  return `${body.join("\n").trim()}\n`;
}
