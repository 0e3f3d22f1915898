/**
 * The release workflow (.github/workflows/release.yml): passes actionlint; runs on a `v*` tag with
 * the permissions provenance needs; packs, attaches and publishes both packages with provenance; and
 * its version step, run here on copies of the two manifests, sets the tag's version and the
 * repository npm's provenance check compares with the workflow's.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { npmEnv, REPO_ROOT } from "pulumi-mde-harness";
import { actionlint, stepScript } from "../helpers/actionlint";

const WORKFLOW = path.join(REPO_ROOT, ".github", "workflows", "release.yml");
const run = promisify(execFile);

test("the release workflow passes actionlint", async (t) => {
  const result = await actionlint(WORKFLOW);
  t.is(result.code, 0, result.output);
});

test("it runs on v* tags, packs both packages, attaches both and publishes both with provenance", (t) => {
  const text = readFileSync(WORKFLOW, "utf8");
  t.regex(text, /on:\n\s+push:\n\s+tags: \["v\*"\]/);
  t.regex(text, /permissions:[\s\S]*id-token: write/, "provenance needs the OIDC token");
  t.regex(text, /permissions:[\s\S]*contents: write/, "the release needs contents: write");
  const pack = stepScript(text, "npm pack both packages");
  t.regex(pack, /^npm pack --pack-destination release$/m);
  t.regex(pack, /^npm pack --workspace packages\/emulator --pack-destination release$/m);
  const attach = stepScript(text, "Attach the tarballs to the GitHub release");
  t.regex(attach, /gh release upload .*pulumi-mde-\$VERSION\.tgz.*pulumi-mde-emulator-\$VERSION\.tgz/);
  const publish = stepScript(text, "npm publish both with provenance");
  for (const name of ["pulumi-mde", "pulumi-mde-emulator"]) {
    t.regex(
      publish,
      new RegExp(`npm publish "release/${name}-\\$VERSION\\.tgz" --provenance --access public`),
      name,
    );
  }
});

test("its version step sets the tag's version and repository in both manifests, and refuses a non-semver tag", async (t) => {
  const script = stepScript(
    readFileSync(WORKFLOW, "utf8"),
    "Set the version from the tag, and the repository provenance checks against",
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), "release-version-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const manifest of [
    "package.json",
    "packages/emulator/package.json",
    "packages/harness/package.json",
  ]) {
    mkdirSync(path.dirname(path.join(dir, manifest)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, manifest), path.join(dir, manifest));
  }
  const githubEnv = path.join(dir, "github-env");
  writeFileSync(githubEnv, "");
  const env = (tag: string) =>
    npmEnv({ TAG: tag, GITHUB_ENV: githubEnv, GITHUB_REPOSITORY: "contoso/pulumi-mde" });
  await run("bash", ["-e", "-c", script], { cwd: dir, env: env("v9.8.7") });

  const read = (f: string) =>
    JSON.parse(readFileSync(path.join(dir, f), "utf8")) as {
      version: string;
      repository?: { type: string; url: string; directory?: string };
    };
  const url = "git+https://github.com/contoso/pulumi-mde.git";
  t.like(read("package.json"), { version: "9.8.7", repository: { type: "git", url } });
  t.like(read("packages/emulator/package.json"), {
    version: "9.8.7",
    repository: { type: "git", url, directory: "packages/emulator" },
  });
  t.regex(readFileSync(githubEnv, "utf8"), /^VERSION=9\.8\.7$/m);

  const refused = await run("bash", ["-e", "-c", script], { cwd: dir, env: env("vnext") }).then(
    () => 0,
    (e: { code?: number }) => e.code ?? -1,
  );
  t.not(refused, 0, "a tag that is not v<semver> stops the release");
});
