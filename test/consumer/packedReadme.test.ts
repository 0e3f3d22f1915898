/**
 * What the tarball ships besides code: its README's relative links resolve to files in the tarball,
 * the license is there, and neither the emulator nor the harness nor the tests are.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import test from "ava";
import { REPO_ROOT } from "pulumi-mde-harness";

const run = promisify(execFile);

test("the packed README links only to files the package ships; LICENSE is in; emulator and tests are out", async (t) => {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  const files = new Set((pack?.files ?? []).map((f) => f.path));
  t.true(files.has("README.md"));
  t.true(files.has("LICENSE"));
  t.true(files.has("dist/src/sdk/index.js"));
  t.true(files.has("dist/src/provider/index.js"));
  t.false(
    [...files].some((f) => f.startsWith("packages/") || f.startsWith("test/") || f.includes("dist/test/")),
  );

  const { readFileSync } = await import("node:fs");
  const readme = readFileSync(`${REPO_ROOT}/README.md`, "utf8");
  const links = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1] as string);
  const relative = links.filter((l) => !/^[a-z]+:/i.test(l));
  t.true(relative.length > 0, "the README links to something");
  for (const link of relative)
    t.true(files.has(link.replace(/^\.\//, "")), `README links to ${link}, not in the package`);
});
