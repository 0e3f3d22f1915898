/**
 * The GitOps guardrails policy pack with the real CLI (`pulumi preview --policy-pack`): a comment
 * without a ticket, cancelOnDelete, and more new collections than allowed each fail the preview and are
 * named under "Policies"; a clean change passes; nothing is posted by a preview.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import {
  callsOf,
  createFolderProgram,
  emulatorConfig,
  REPO_ROOT,
  startTestEmulator,
} from "pulumi-mde-harness";

const PACK = path.join(REPO_ROOT, "examples", "gitops", "policy");
const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "guardrails");
const DEVICES = FLEET_ROLES.healthy.map((d) => d.id);

async function previewWith(
  t: import("ava").ExecutionContext,
  comments: string[],
  options: { cancelOnDelete?: boolean; packConfig?: Record<string, unknown> } = {},
) {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const p = createFolderProgram({
    programDir: FIXTURE,
    config: {
      ...emulatorConfig(em),
      "fixture:comments": { value: JSON.stringify(comments) },
      "fixture:devices": { value: JSON.stringify(DEVICES) },
      "fixture:cancelOnDelete": { value: String(options.cancelOnDelete ?? false) },
    },
  });
  t.teardown(() => p.dispose());
  await p.init();
  const args = ["--policy-pack", PACK];
  if (options.packConfig) {
    const file = path.join(p.tmpDir, "policy-config.json");
    writeFileSync(file, JSON.stringify(options.packConfig));
    args.push("--policy-pack-config", file);
  }
  const run = await p.preview(args, { allowFailure: true });
  t.is(callsOf(em, "collect").length, 0, "a preview posts nothing");
  return { code: run.code, text: `${run.stdout}\n${run.stderr}` };
}

test("a clean change passes the guardrails", async (t) => {
  const result = await previewWith(t, ["IR-4711: alert 1234", "IR-4711: alert 1234"]);
  t.is(result.code, 0, result.text);
  t.notRegex(result.text, /mandatory/);
});

test("a comment without a ticket fails the preview, naming the policy and the comment", async (t) => {
  const result = await previewWith(t, ["IR-4711: alert 1234", "collect stuff"]);
  t.not(result.code, 0);
  t.regex(result.text, /comment-cites-ticket/);
  t.regex(result.text, /"collect stuff" cites no ticket/);
});

test("cancelOnDelete fails the preview: a revert must not cancel evidence collection", async (t) => {
  const result = await previewWith(t, ["IR-4711: alert 1234"], { cancelOnDelete: true });
  t.not(result.code, 0);
  t.regex(result.text, /no-cancel-on-delete/);
});

test("more new collections than the configured maximum fail the preview", async (t) => {
  const comments = ["IR-1: a", "IR-1: b", "IR-1: c"];
  const result = await previewWith(t, comments, { packConfig: { "max-new-collections": { max: 2 } } });
  t.not(result.code, 0);
  t.regex(result.text, /max-new-collections/);
  t.regex(result.text, /would start 3 new collections, more than the 2 allowed/);
});
