/**
 * Installing the library straight from git, as `npm install git+https://…#<commit>` does: dist/ is
 * not committed, so npm must build it with the `prepare` script. Uses the repository's HEAD commit
 * (committed code only) through `git+file://`, into a project outside the repository.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { consumerDir, installedCopies, npm, npmEnv, REPO_ROOT, writeFiles } from "pulumi-mde-harness";

const execFileAsync = promisify(execFile);

test("npm install from a git commit builds dist with prepare, and the package loads", async (t) => {
  const { stdout: head } = await execFileAsync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT });
  const commit = head.trim();
  const dir = consumerDir();
  t.teardown(() => {
    if (process.env.KEEP_ENGINE_TMP !== "1") rmSync(dir, { recursive: true, force: true });
  });
  writeFiles(dir, {
    "package.json": `${JSON.stringify({ name: "mde-git-consumer", version: "1.0.0", private: true }, null, 2)}\n`,
  });

  const install = await npm(["install", `git+file://${REPO_ROOT}#${commit}`], dir, { timeoutInMs: 240_000 });
  const installed = path.join(dir, "node_modules", "pulumi-mde");
  t.true(existsSync(path.join(installed, "dist", "src", "sdk", "index.js")), "prepare built the SDK");
  t.true(
    existsSync(path.join(installed, "dist", "src", "provider", "index.js")),
    "prepare built the provider",
  );
  // Only the packed files are installed: the sources the maps point at, not the tests or workspaces.
  t.false(existsSync(path.join(installed, "test")), "only the packed files are installed");
  t.false(existsSync(path.join(installed, "packages")), "the emulator and harness are not installed");
  const version = (
    JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as { version: string }
  ).version;
  const lock = JSON.parse(readFileSync(path.join(dir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { resolved?: string }>;
  };
  t.true(
    lock.packages["node_modules/pulumi-mde"]?.resolved?.endsWith(`#${commit}`),
    "the lock file pins the commit",
  );
  // @pulumi/pulumi is a peer: npm installs one copy for the project, none inside the library.
  const copies = await installedCopies(dir, "@pulumi/pulumi");
  t.is(copies.length, 1);
  t.is(copies[0]?.path, path.join(dir, "node_modules", "@pulumi", "pulumi"));

  // The package loads, SDK and provider, on the Node the library requires.
  const { stdout } = await execFileAsync(
    "node",
    [
      "-e",
      `const sdk = require("pulumi-mde");
       const provider = require("pulumi-mde/provider");
       console.log(JSON.stringify({
         collection: typeof sdk.InvestigationPackageCollection,
         provider: typeof provider.collectionProvider,
         version: require("pulumi-mde/package.json").version,
       }));`,
    ],
    { cwd: dir, env: npmEnv() },
  );
  t.deepEqual(JSON.parse(stdout), { collection: "function", provider: "object", version });
  t.log(`git install of ${commit.slice(0, 12)}: ${install.durationInMs} ms (pulumi-mde ${version})`);
});
