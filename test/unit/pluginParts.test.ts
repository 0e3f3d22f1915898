/**
 * The plugin's own small parts: PULUMI_CONFIG to settings keys, URNs, and secrets kept secret on their
 * way through the resource code.
 */
import test from "ava";
import { configFromEnvironmentText } from "../../src/plugin/pluginConfig";
import { parseUrn } from "../../src/plugin/resourceUrn";
import { unwrapSecrets, wrapSecrets } from "../../src/plugin/rpcSecrets";

test("PULUMI_CONFIG: mde keys namespaced, objects as JSON text, unknown keys left out", (t) => {
  const text = JSON.stringify({
    clientId: "app",
    timeScale: "120",
    profiles: { a: { tenantId: "t" } },
    other: "x",
  });
  t.deepEqual(configFromEnvironmentText(text), {
    "mde:clientId": "app",
    "mde:timeScale": "120",
    "mde:profiles": '{"a":{"tenantId":"t"}}',
  });
  t.deepEqual(configFromEnvironmentText(undefined), {});
  const error = t.throws(() => configFromEnvironmentText("{nope"));
  t.is((error as { code?: string }).code, "MDE_CONFIG_INVALID");
});

test("URN: stack, project, type without parents, and a name that contains ::", (t) => {
  t.deepEqual(parseUrn("urn:pulumi:prod::ir::mde:index:InvestigationPackageCollection::ws-042"), {
    stack: "prod",
    project: "ir",
    type: "mde:index:InvestigationPackageCollection",
    name: "ws-042",
  });
  t.is(parseUrn("urn:pulumi:s::p::my:C$mde:index:DeviceIsolation::a::b").type, "mde:index:DeviceIsolation");
  t.is(parseUrn("urn:pulumi:s::p::my:C$mde:index:DeviceIsolation::a::b").name, "a::b");
});

test("secrets: unwrapped for the resource code, the same properties wrapped again on the way out", (t) => {
  const sig = "4dabf18193072939515e22adb298388d";
  const secret = (value: unknown) => ({ [sig]: "1b47061264138c4ac30d75fd1eb44270", value });
  const { plain, secretKeys } = unwrapSecrets({
    comment: secret("IR"),
    triggers: [secret(1), 2],
    machineId: "m",
  });
  t.deepEqual(plain, { comment: "IR", triggers: [1, 2], machineId: "m" });
  t.deepEqual([...secretKeys].sort(), ["comment", "triggers"]);
  t.deepEqual(wrapSecrets({ comment: "IR", status: "Pending" }, secretKeys), {
    comment: secret("IR"),
    status: "Pending",
  });
});
