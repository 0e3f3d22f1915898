/**
 * The GitOps guardrails policy pack is self-contained: copied out of the repository as the example's
 * README says (the policy/ folder, then `npm install` in it), it runs with the real CLI
 * (`pulumi preview --policy-pack <copy>`): its package.json's `main` lies inside the folder (no
 * DEP0128), it has its PulumiPolicy.yaml, and the CLI compiles its TypeScript with the folder's own
 * tsconfig.json. A comment without a ticket fails the preview naming the policy; a clean one passes.
 */
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import {
  callsOf,
  consumerDir,
  createFolderProgram,
  emulatorConfig,
  npm,
  REPO_ROOT,
  startTestEmulator,
} from "pulumi-mde-harness";

const PACK = path.join(REPO_ROOT, "examples", "gitops", "policy");
const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "guardrails");
const keep = process.env.KEEP_ENGINE_TMP === "1";

test("the policy pack, copied on its own and installed, guards a preview", async (t) => {
  const manifest = JSON.parse(readFileSync(path.join(PACK, "package.json"), "utf8")) as {
    main?: string;
    dependencies?: Record<string, string>;
  };
  const main = path.resolve(PACK, manifest.main ?? "index.js");
  t.false(path.relative(PACK, main).startsWith(".."), `main ${manifest.main} lies inside the pack`);
  t.true(existsSync(main), `main ${manifest.main} exists in the pack`);
  t.truthy(manifest.dependencies?.["@pulumi/policy"], "the pack declares @pulumi/policy");
  t.true(existsSync(path.join(PACK, "PulumiPolicy.yaml")));

  // The copy: only the pack's own files, as a responses repository would hold them.
  const dir = consumerDir("pulumi-mde-policy-");
  t.teardown(() => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });
  const copy = path.join(dir, "policy");
  cpSync(PACK, copy, { recursive: true, filter: (src) => !src.includes("node_modules") });
  await npm(["install"], copy, { timeoutInMs: 300_000 });

  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const preview = async (comments: string[]) => {
    const p = createFolderProgram({
      programDir: FIXTURE,
      config: {
        ...emulatorConfig(em),
        "fixture:comments": { value: JSON.stringify(comments) },
        "fixture:devices": { value: JSON.stringify(FLEET_ROLES.healthy.map((d) => d.id)) },
        "fixture:cancelOnDelete": { value: "false" },
      },
    });
    t.teardown(() => p.dispose());
    await p.init();
    const run = await p.preview(["--policy-pack", copy], { allowFailure: true });
    return { code: run.code, text: `${run.stdout}\n${run.stderr}` };
  };

  const violating = await preview(["IR-4711: alert 1234", "collect stuff"]);
  t.not(violating.code, 0, violating.text);
  t.regex(violating.text, /comment-cites-ticket/);
  t.notRegex(violating.text, /DEP0128|Cannot find module/);

  const clean = await preview(["IR-4711: alert 1234"]);
  t.is(clean.code, 0, clean.text);
  t.notRegex(clean.text, /DEP0128|mandatory/);
  t.is(callsOf(em, "collect").length, 0, "a preview posts nothing");
});
