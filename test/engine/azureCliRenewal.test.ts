/**
 * A responder runs the runbook as themselves (`mde:useAzureCli`): the provider takes the user's token
 * from `az account get-access-token` (a stand-in `az` first on the provider's PATH), the token expires
 * in the middle of the deployment and is renewed by running the CLI again. Each device gets exactly one
 * collection, requested in the user's name, and no token is in state, output or errors.
 */
import test from "ava";
import { TOKEN_AUDIENCE } from "pulumi-mde-emulator";
import { callsOf, createTestStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import {
  assertNoSecrets,
  backendText,
  closeEmulatorApi,
  collectionsOn,
  emulatorSecrets,
  JWT,
} from "../helpers/faults";
import { azureCliConfig, installStandInAz } from "../helpers/standInAz";
import { sweepProgram } from "../helpers/sweep";

const TIME_SCALE = 60;
/** Emulated seconds a user token lives: 4 real seconds, shorter than the deployment. */
const USER_TOKEN_LIFETIME_SECONDS = 240;

test("az sign-in: the user token is renewed through the CLI mid-deployment; one collection per device", async (t) => {
  const em = await startTestEmulator({
    timeScale: TIME_SCALE,
    tokenLifetimeSeconds: USER_TOKEN_LIFETIME_SECONDS,
    lifecycle: { pendingSeconds: 180, inProgressSeconds: 360 },
  });
  t.teardown(() => em.close());
  const az = installStandInAz(em);
  t.teardown(() => az.dispose());
  const ids = healthyIds(em, 3);
  const s = await createTestStack({
    program: sweepProgram(ids, { waitForCompletion: true, comment: (i) => `IR-5150: responder device ${i}` }),
    config: azureCliConfig(em),
    env: az.stackEnv(),
  });
  t.teardown(() => s.dispose());

  const started = Date.now();
  const up = await s.up();
  const elapsedMs = Date.now() - started;
  t.is(up.summary.result, "succeeded");

  // The CLI was asked for the Defender resource in the configured tenant, again as each token aged.
  const runs = az.invocations();
  t.log(`${runs.length} az runs in ${elapsedMs} ms`);
  t.true(runs.length >= 2, `the token was renewed through the CLI (${runs.length} runs)`);
  for (const args of runs) {
    t.deepEqual(args, [
      "account",
      "get-access-token",
      "--resource",
      TOKEN_AUDIENCE,
      "--tenant",
      em.defaultApp.tenantId,
      "--output",
      "json",
    ]);
  }
  // One run per half lifetime at most (single flight, renewal at half life), not one per request.
  const lifetimeMs = (USER_TOKEN_LIFETIME_SECONDS / TIME_SCALE) * 1000;
  t.true(
    runs.length <= Math.ceil(elapsedMs / (lifetimeMs / 2)) + 1,
    `${runs.length} runs in ${elapsedMs} ms`,
  );
  const signIns = callsOf(em, "token");
  t.is(signIns.length, runs.length, "each run signed the user in once");
  t.true(signIns.every((c) => c.status === 200));
  t.deepEqual(
    em
      .calls()
      .filter((c) => c.status === 401)
      .map((c) => c.route),
    [],
    "renewed before expiry: no request refused",
  );

  for (const machineId of ids) {
    const actions = await collectionsOn(em, machineId);
    t.is(actions.length, 1, "one collection per device");
    t.is(actions[0]?.requestor, em.defaultUser.upn, "requested in the responder's name");
  }
  await closeEmulatorApi(em);

  const state = await s.exportState();
  t.true(state.resources.every((r) => r.outputs?.status === "Succeeded"));
  const texts = { "backend state": backendText(s), "state export": state.text, "engine output": s.output() };
  assertNoSecrets(t, texts, emulatorSecrets(em, { "user password": [em.defaultUser.password] }));
  for (const [name, text] of Object.entries(texts)) t.notRegex(text, JWT, `no JWT in ${name}`);
});
