/**
 * The GitOps example as a workflow runs it: the examples/gitops folder program with the `pulumi` CLI,
 * responses in stack config, signed in with GitHub Actions workload identity federation
 * (`ARM_USE_OIDC`, the runner's ID token from the emulator playing GitHub's token service) and no
 * stored secret at all. A pull request adding a device collects only from it.
 */
import path from "node:path";
import test from "ava";
import { FLEET_ROLES, GITHUB_ACTIONS_ISSUER } from "pulumi-mde-emulator";
import {
  callsOf,
  createFolderProgram,
  type FolderConfig,
  REPO_ROOT,
  resourceSummary,
  startTestEmulator,
} from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets } from "../helpers/faults";

/** The subject GitHub gives the workflow's `up` job: it runs in the `incident-response` environment. */
const SUBJECT = "repo:contoso/incident-response:environment:incident-response";

test("gitops: OIDC sign-in, one collection per declared device, a new device in a later change adds only it", async (t) => {
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  // The app registration trusts the environment job of this repository (the README's credential); no secret.
  const app = em.addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject: SUBJECT } });
  const runner = em.githubActionsEnv({
    job: {
      repository: "contoso/incident-response",
      eventName: "push",
      ref: "refs/heads/main",
      environment: "incident-response",
    },
  });
  const base = em.providerConfig();
  const config: FolderConfig = {
    "mde:apiEndpoint": base["mde:apiEndpoint"] as { value: string },
    "mde:authorityHost": base["mde:authorityHost"] as { value: string },
    "mde:caCertPath": base["mde:caCertPath"] as { value: string },
    "mde:timeScale": { value: "120" },
    "gitops:responses[0].ticket": { value: "IR-4711", path: true },
    "gitops:responses[0].reason": { value: "ransomware behaviour, alert 1234", path: true },
    "gitops:responses[0].devices[0].computerDnsName": {
      value: FLEET_ROLES.healthy[0].computerDnsName,
      path: true,
    },
    "gitops:responses[0].devices[1].machineId": { value: FLEET_ROLES.healthy[1].id, path: true },
  };
  const p = createFolderProgram({
    programDir: path.join(REPO_ROOT, "examples", "gitops"),
    stackName: "prod",
    config,
    env: {
      ARM_USE_OIDC: "true",
      AZURE_TENANT_ID: app.tenantId,
      AZURE_CLIENT_ID: app.clientId,
      ACTIONS_ID_TOKEN_REQUEST_URL: runner.ACTIONS_ID_TOKEN_REQUEST_URL,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: runner.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    },
  });
  t.teardown(() => p.dispose());
  await p.init();

  const up = await p.up();
  t.like(resourceSummary(up.stdout), { created: 3 }, "the stack and two collections");
  t.is(callsOf(em, "collect").length, 2);
  t.true(
    callsOf(em, "token").every((c) => c.clientId === app.clientId),
    "tokens for the federated app",
  );
  const collections = (await p.outputs()).collections as Record<string, { actionId: string }>;
  t.deepEqual(
    Object.keys(collections).sort(),
    ["ir-4711-fin-lt-0001", `ir-4711-${FLEET_ROLES.healthy[1].id.slice(0, 12)}`].sort(),
    "named after the device's name, or the start of its ID",
  );

  // A later pull request adds a device to the response.
  await p.setConfig("gitops:responses[0].devices[2].computerDnsName", {
    value: FLEET_ROLES.healthy[2].computerDnsName,
    path: true,
  });
  const added = await p.up();
  t.like(resourceSummary(added.stdout), { created: 1, unchanged: 3 });
  t.is(callsOf(em, "collect").length, 3, "only the new device is collected from");

  await p.destroy();
  assertNoSecrets(
    t,
    { output: p.output(), state: p.backendText(), config: p.configText() },
    { ...emulatorSecrets(em), requestToken: [runner.ACTIONS_ID_TOKEN_REQUEST_TOKEN] },
  );
});
