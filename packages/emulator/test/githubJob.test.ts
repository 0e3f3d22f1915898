/**
 * The stand-in for GitHub's token service names a job the way GitHub does (the default subject
 * template): by its environment when it declares one, by `pull_request` for pull-request events, else
 * by its ref; and the token's claims describe the job.
 */
import test from "ava";
import { type Emulator, type GithubJob, githubSubject, startEmulator } from "../src";
import { jwtPayload, send } from "./support";

let em: Emulator;
test.before(async () => {
  em = await startEmulator();
});
test.after.always(() => em?.close());

const push: GithubJob = { repository: "contoso/ir", eventName: "push", ref: "refs/heads/main" };

test("subjects as GitHub derives them", (t) => {
  t.is(githubSubject(push), "repo:contoso/ir:ref:refs/heads/main");
  t.is(githubSubject({ ...push, ref: "refs/tags/v1.2.0" }), "repo:contoso/ir:ref:refs/tags/v1.2.0");
  t.is(
    githubSubject({ ...push, environment: "incident-response" }),
    "repo:contoso/ir:environment:incident-response",
    "an environment wins over the branch",
  );
  t.is(
    githubSubject({ ...push, eventName: "pull_request", ref: "refs/pull/7/merge" }),
    "repo:contoso/ir:pull_request",
  );
  t.is(
    githubSubject({ ...push, eventName: "pull_request", ref: "refs/pull/7/merge", environment: "review" }),
    "repo:contoso/ir:environment:review",
  );
});

test("a job's ID token carries its subject and claims: environment, event, ref", async (t) => {
  const env = em.githubActionsEnv({ job: { ...push, environment: "incident-response" } });
  const answer = await send(
    em,
    "GET",
    `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`,
    {
      token: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    },
  );
  t.is(answer.status, 200);
  const claims = jwtPayload(answer.json.value as string);
  t.like(claims, {
    sub: "repo:contoso/ir:environment:incident-response",
    environment: "incident-response",
    event_name: "push",
    ref: "refs/heads/main",
    ref_type: "branch",
    repository: "contoso/ir",
    repository_owner: "contoso",
  });
  const explicit = em.githubActionsEnv({ subject: "repo:o/r:pull_request", job: push });
  const other = await send(em, "GET", `${explicit.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=x`, {
    token: explicit.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  });
  t.is(jwtPayload(other.json.value as string).sub, "repo:o/r:pull_request", "an explicit subject wins");
});
