/**
 * The GitOps workflow's sign-in, as GitHub and Entra ID would judge it. The emulator plays GitHub's
 * token service for each job as respond.yml declares it (its event, branch and `environment:`), so the
 * runner's ID token names the subject GitHub would send; the app registration trusts exactly the
 * subjects the example's README tells operators to create. The workflow's sign-in path (its
 * environment: `ARM_USE_OIDC`, tenant and client IDs) then starts a collection, as its `up` job does.
 * When the README and the workflow disagree (a *Branch* credential for a job that runs in an
 * environment), Entra ID refuses with AADSTS700213 and this test fails; that refusal, a configuration
 * error, says what to fix and never advises running `up` again.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  type Emulator,
  FLEET_ROLES,
  GITHUB_ACTIONS_ISSUER,
  type GithubJob,
  githubSubject,
  startEmulator,
} from "pulumi-mde-emulator";
import { REPO_ROOT } from "pulumi-mde-harness";
import { DefenderClient } from "../../src/client/defenderClient";
import { DefenderError } from "../../src/core/errors";
import { resolveSettings } from "../../src/settings/resolveSettings";

const GITOPS = path.join(REPO_ROOT, "examples", "gitops");
const WORKFLOW = readFileSync(path.join(GITOPS, ".github", "workflows", "respond.yml"), "utf8");
const README = readFileSync(path.join(GITOPS, "README.md"), "utf8");
/** The responses repository, `<org>/<repo>` in the README. */
const REPOSITORY = "contoso/incident-response";

/** The lines of job `name` in the workflow. */
function jobBlock(name: string): string {
  const lines = WORKFLOW.split("\n");
  const start = lines.indexOf(`  ${name}:`);
  if (start < 0) throw new Error(`respond.yml has no job ${name}`);
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** The job as GitHub runs it: the event its `if:` admits, the ref that event runs on, its environment. */
function workflowJob(name: string): GithubJob {
  const block = jobBlock(name);
  const eventName = /if: github\.event_name == '(\w+)'/.exec(block)?.[1];
  if (!eventName) throw new Error(`job ${name} names no event`);
  const branch = /\n {2}push:\n {4}branches: \[([\w./-]+)/.exec(WORKFLOW)?.[1] ?? "main";
  const environment = /^ {4}environment: ([\w.-]+)/m.exec(block)?.[1];
  return {
    repository: REPOSITORY,
    eventName,
    ref: eventName === "pull_request" ? "refs/pull/42/merge" : `refs/heads/${branch}`,
    ...(environment ? { environment } : {}),
  };
}

/** The subject the README's federated-credential table gives for `job`, for this repository. */
function readmeSubject(job: string): string {
  const row = README.split("\n").find((l) => l.trim().startsWith(`| \`${job}\``));
  const subject = row && /`(repo:[^`]+)`/.exec(row)?.[1];
  if (!subject) throw new Error(`the README's credential table has no subject for ${job}`);
  return subject.replace("<org>/<repo>", REPOSITORY);
}

/** The workflow's top-level `env:`, with the repository variables the README lists filled in. */
function workflowEnv(vars: Record<string, string>): Record<string, string> {
  const block = /\nenv:\n((?: {2}.*\n)+)/.exec(WORKFLOW)?.[1] ?? "";
  const env: Record<string, string> = {};
  for (const line of block.split("\n")) {
    const m = /^ {2}(\w+): (.+?)(?:\s+#.*)?$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const value = m[2].replace(/^"(.*)"$/, "$1");
    const variable = /^\$\{\{ vars\.(\w+) \}\}$/.exec(value)?.[1];
    env[m[1]] = variable ? (vars[variable] ?? "") : value;
  }
  return env;
}

/** The `up` job's sign-in path: the workflow's environment, the runner's token service, one collection. */
async function signInAndCollect(em: Emulator, credentialSubject: string, job: GithubJob) {
  const app = em.addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject: credentialSubject } });
  const runner = em.githubActionsEnv({ job });
  const env: Record<string, string> = {
    ...workflowEnv({ AZURE_TENANT_ID: app.tenantId, AZURE_CLIENT_ID: app.clientId }),
    ACTIONS_ID_TOKEN_REQUEST_URL: runner.ACTIONS_ID_TOKEN_REQUEST_URL,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: runner.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  };
  const settings = resolveSettings(
    { "mde:apiEndpoint": em.url, "mde:authorityHost": em.authorityHost, "mde:caCertPath": em.caFile },
    env,
  );
  const client = new DefenderClient(settings);
  const machineId = FLEET_ROLES.healthy[0].id;
  const result = client.collectInvestigationPackage(machineId, "IR-4711: ransomware behaviour, alert 1234", {
    findEarlier: true,
  });
  return { app, env, result };
}

test("the up job declares its environment, and the emulator's GitHub names the job by it", (t) => {
  const up = workflowJob("up");
  t.is(up.environment, "incident-response");
  t.is(githubSubject(up), `repo:${REPOSITORY}:environment:incident-response`);
  const preview = workflowJob("preview");
  t.is(githubSubject(preview), `repo:${REPOSITORY}:pull_request`);
  t.is(readmeSubject("preview"), githubSubject(preview), "the README's pull-request credential");
});

test("the up job signs in with the federated credential the README tells operators to create", async (t) => {
  const em = await startEmulator();
  t.teardown(() => em.close());
  const job = workflowJob("up");
  const { app, env, result } = await signInAndCollect(em, readmeSubject("up"), job);
  t.is(env.ARM_USE_OIDC, "true", "the workflow signs in with OIDC");
  const collected = await result.catch((e: unknown) => e);
  t.false(collected instanceof Error, `sign-in failed: ${(collected as Error).message}`);
  t.is(em.calls({ route: "collect" }).length, 1, "the collection was posted");
  const tokens = em.calls({ route: "token" });
  t.true(tokens.length >= 1 && tokens.every((c) => c.clientId === app.clientId && c.status === 200));
});

test("a Branch credential for the environment job is refused (AADSTS700213) with what to fix, not 'run up again'", async (t) => {
  const em = await startEmulator();
  t.teardown(() => em.close());
  const { result } = await signInAndCollect(em, `repo:${REPOSITORY}:ref:refs/heads/main`, workflowJob("up"));
  const error = await t.throwsAsync(result, { instanceOf: DefenderError });
  t.log(error?.message, `(status ${error?.status ?? "none"})`);
  t.is(error?.code, "MDE_AUTH_FAILED");
  t.regex(error?.message ?? "", /AADSTS700213/);
  t.regex(error?.message ?? "", /environment/i, "it says a job with an environment is named by it");
  t.notRegex(error?.message ?? "", /pulumi up` again|run `?pulumi up`? again|Nothing was posted/i);
  t.is(em.calls({ route: "collect" }).length, 0, "nothing was posted");
});
