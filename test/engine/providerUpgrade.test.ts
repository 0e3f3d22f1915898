/**
 * Stacks written by an earlier release keep working: their state stores a serialized forwarding
 * provider in `__provider`; after the upgrade the program declares the same resources with the
 * one-line provider text, and nothing is replaced, re-collected or lost.
 */
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { callsOf, emulatorStack, healthyIds, startTestEmulator } from "pulumi-mde-harness";

// The provider of the earlier release, serialized by Pulumi from functions (as dynamic.Resource does).
const forwardingProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    return require("pulumi-mde/provider").collectionProvider.configure(req);
  },
  async check(olds, news) {
    return require("pulumi-mde/provider").collectionProvider.check(olds, news);
  },
  async diff(id, olds, news) {
    return require("pulumi-mde/provider").collectionProvider.diff(id, olds, news);
  },
  async create(inputs) {
    return require("pulumi-mde/provider").collectionProvider.create(inputs);
  },
  async read(id, props) {
    return require("pulumi-mde/provider").collectionProvider.read(id, props);
  },
  async update(id, olds, news) {
    return require("pulumi-mde/provider").collectionProvider.update(id, olds, news);
  },
  async delete(id, props) {
    return require("pulumi-mde/provider").collectionProvider.delete(id, props);
  },
};

class EarlierCollection extends pulumi.dynamic.Resource {
  declare readonly actionId: pulumi.Output<string>;
  constructor(name: string, args: { machineId: string; comment: string }) {
    const props = {
      ...args,
      pulumiStack: `${pulumi.getProject()}/${pulumi.getStack()}`,
      actionId: undefined,
    };
    super(forwardingProvider, name, props, {}, "mde", "InvestigationPackageCollection");
  }
}

test("state written with the earlier serialized provider keeps working after the upgrade", async (t) => {
  const em = await startTestEmulator({ timeScale: 120 });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const args = { machineId: machineId!, comment: "IR-4711: before the upgrade" };
  let upgraded = false;
  const s = await emulatorStack(em, async () => {
    const c = upgraded
      ? new InvestigationPackageCollection("ws-042", args)
      : new EarlierCollection("ws-042", args);
    return { actionId: c.actionId };
  });
  t.teardown(() => s.dispose());

  const before = await s.up();
  const actionId = before.outputs.actionId?.value as string;
  const oldText = String((await s.exportState()).resources[0]?.outputs?.__provider);
  t.true(oldText.length > 1000, "the earlier release stored a serialized function");

  upgraded = true;
  const after = await s.up();
  t.is(after.summary.resourceChanges?.replace ?? 0, 0, "nothing is replaced");
  t.is(after.outputs.actionId?.value, actionId, "the same action");
  t.is(callsOf(em, "collect").length, 1, "nothing is collected again");

  await s.refresh();
  const [resource] = (await s.exportState()).resources;
  t.is(resource?.id, actionId);
  t.is(resource?.outputs?.status, "Succeeded", "refresh runs with the stored provider text and still works");

  await s.destroy();
  t.deepEqual((await s.exportState()).resources, []);
});

test("a collection stores a one-line provider", async (t) => {
  const em = await startTestEmulator({ timeScale: 120 });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const s = await emulatorStack(em, async () => {
    new InvestigationPackageCollection("ws-043", { machineId: machineId!, comment: "state weight" });
  });
  t.teardown(() => s.dispose());
  await s.up();
  const { text, resources } = await s.exportState();
  const stored = String(resources[0]?.outputs?.__provider);
  t.true(stored.length < 200, `__provider is ${stored.length} bytes`);
  t.false(text.includes(em.defaultApp.clientSecret));
  t.true(JSON.stringify(resources[0]).length < 2500, "a collection weighs under 2.5 KB in state");
});
