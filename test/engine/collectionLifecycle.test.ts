/**
 * The collection's life on the real engine against the emulator: up starts it once, refresh follows
 * it, a changed comment replaces it, destroy calls nothing unless asked to cancel. Secrets stay out
 * of state and output throughout.
 */
import { setTimeout as sleep } from "node:timers/promises";
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";

// One emulated minute per 0.5 real second: a collection takes 3 emulated minutes (1.5 s).
const TIME_SCALE = 120;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

test("up collects once, refresh follows the status, a new comment replaces, destroy calls nothing", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  let comment = "IR-4711: collect forensics after alert 1234";
  const s = await emulatorStack(em, async () => {
    const c = new InvestigationPackageCollection("ws-042", { machineId: machineId!, comment });
    return { actionId: c.actionId, status: c.status, adopted: c.adopted };
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is(callsOf(em, "collect").length, 1, "one POST");
  t.is(callsOf(em, "token").length, 1, "one token request");
  const actionId = up.outputs.actionId?.value as string;
  t.regex(actionId, /^[0-9a-f-]{36}$/);
  t.is(up.outputs.status?.value, "Pending");
  t.is(up.outputs.adopted?.value, false);

  let state = await s.exportState();
  t.is(state.resources.length, 1);
  t.is(state.resources[0]?.id, actionId, "the MachineAction ID is the resource ID");
  t.like(state.resources[0]?.outputs, { machineId, comment, status: "Pending", actionId });
  t.true(
    String(state.resources[0]?.outputs?.__provider ?? "").length < 4096,
    "the stored provider stays small",
  );

  // A second up with nothing changed starts nothing.
  await s.up();
  t.is(callsOf(em, "collect").length, 1, "no second POST on an unchanged program");

  await sleep((LIFECYCLE.pendingSeconds + LIFECYCLE.inProgressSeconds) * (1000 / TIME_SCALE) + 500);
  const refresh = await s.refresh();
  t.is(refresh.summary.result, "succeeded");
  state = await s.exportState();
  t.like(state.resources[0]?.outputs, { status: "Succeeded", actionId });
  t.truthy(state.resources[0]?.outputs?.lastUpdateDateTimeUtc);

  comment = "IR-4711: second collection after containment";
  const replaced = await s.up();
  t.is(replaced.summary.resourceChanges?.replace, 1, "a changed comment replaces");
  t.is(callsOf(em, "collect").length, 2);
  const newId = replaced.outputs.actionId?.value as string;
  t.not(newId, actionId);
  state = await s.exportState();
  t.is(state.resources.length, 1);
  // Defender records the comment with the resource's marker appended: what ties the action to it.
  t.regex(
    String(state.resources[0]?.outputs?.requestorComment),
    /^IR-4711: second collection after containment \[pulumi-mde:[0-9a-f]{10}\]$/,
  );

  const before = em.calls().length;
  const destroy = await s.destroy();
  t.is(destroy.summary.result, "succeeded");
  t.deepEqual(em.calls().slice(before), [], "destroy calls nothing by default");
  t.deepEqual((await s.exportState()).resources, []);
});

test("cancelOnDelete cancels a running action on destroy, with a comment naming the stack", async (t) => {
  // Slow lifecycle: the action is still Pending when destroyed.
  const em = await startTestEmulator({ timeScale: 1 });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const s = await emulatorStack(em, async () => {
    const c = new InvestigationPackageCollection("ws-043", {
      machineId: machineId!,
      comment: "exercise: cancel on delete",
      cancelOnDelete: true,
    });
    return { actionId: c.actionId };
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  const actionId = up.outputs.actionId?.value as string;
  await s.destroy();
  const cancels = callsOf(em, "cancel");
  t.is(cancels.length, 1, "one cancel request");
  t.true(cancels[0]?.path.includes(actionId));
  t.is(cancels[0]?.status, 200);
  t.deepEqual((await s.exportState()).resources, []);
});

test("the client secret and the bearer token never reach state or output in plaintext", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const s = await emulatorStack(em, async () => {
    const c = new InvestigationPackageCollection("ws-044", { machineId: machineId!, comment: "secret scan" });
    return { status: c.status };
  });
  t.teardown(() => s.dispose());

  // Verbosity 8, the highest this engine keeps secret config out of: at 9 the engine itself logs the
  // default dynamic provider's Configure inputs, secret config in plaintext ("Marshaling property for
  // RPC[...Configure().inputs]"), whatever the provider does. The README says so.
  await s.up({ logVerbosity: 8 });
  await s.refresh({ logVerbosity: 8 });
  const state = await s.exportState();
  const config = await s.stack.getAllConfig();
  const secret = em.defaultApp.clientSecret;
  const tokens = em.issuedTokens();

  t.true(tokens.length >= 1, "a token was issued");
  t.false(state.text.includes(secret), "no client secret in state");
  t.false(s.output().includes(secret), "no client secret in engine output");
  for (const token of tokens) {
    t.false(state.text.includes(token), "no bearer token in state");
    t.false(s.output().includes(token), "no bearer token in engine output");
  }
  t.true(config["mde:clientSecret"]?.secret, "the client secret is stored as a secret in config");
});
