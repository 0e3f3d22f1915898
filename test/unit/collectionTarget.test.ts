import test from "ava";
import {
  checkCollectionInputs,
  collectionInputs,
  UNKNOWN_VALUE,
} from "../../src/resources/collection/collectionInputs";
import { collectionOutputs } from "../../src/resources/collection/collectionOutputs";
import { collectionProvider } from "../../src/resources/collection/collectionProvider";
import { withStoredTarget } from "../../src/resources/shared/deviceTarget";

const ACTION = "6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b";
const ID = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";
const NAME = "ws-042.contoso.com";

const failuresOf = (news: Record<string, unknown>) =>
  Object.fromEntries(checkCollectionInputs(news).failures.map((f) => [f.property, f.reason]));

test("check: computerDnsName alone is enough, lower-cased, with the defaults of the new inputs", (t) => {
  const { inputs, failures } = checkCollectionInputs({
    computerDnsName: " WS-042.Contoso.com ",
    comment: "IR",
  });
  t.deepEqual(failures, []);
  t.is(inputs.computerDnsName, NAME);
  t.is(inputs.machineId, undefined);
  t.is(inputs.deviceWaitInMinutes, 0);
  t.is(inputs.requireActiveDevice, false);
});

test("check: both machineId and computerDnsName is an error on computerDnsName, also when one is unknown", (t) => {
  for (const news of [
    { machineId: ID, computerDnsName: NAME, comment: "IR" },
    { machineId: UNKNOWN_VALUE, computerDnsName: NAME, comment: "IR" },
    { machineId: ID, computerDnsName: UNKNOWN_VALUE, comment: "IR" },
  ]) {
    t.regex(failuresOf(news).computerDnsName ?? "", /give either machineId or computerDnsName, not both/);
  }
});

test("check: neither is an error on machineId that mentions computerDnsName", (t) => {
  t.regex(failuresOf({ comment: "IR" }).machineId ?? "", /machineId is required.*computerDnsName instead/);
});

test("check: a bad name, wait or flag is named with what was expected", (t) => {
  const f = failuresOf({
    computerDnsName: "  ",
    comment: "IR",
    deviceWaitInMinutes: -1,
    requireActiveDevice: "yes",
  });
  t.regex(f.computerDnsName ?? "", /computerDnsName must be the device's name as Defender shows it/);
  t.regex(f.deviceWaitInMinutes ?? "", /from 0 to 1440 \(one day\), got number -1/);
  t.regex(f.requireActiveDevice ?? "", /must be true or false, got "yes"/);
  t.regex(
    failuresOf({ computerDnsName: ID, comment: "IR" }).computerDnsName ?? "",
    /is a device ID, not a name: give it as machineId/,
  );
  t.regex(
    failuresOf({ computerDnsName: "ws\u0007", comment: "IR" }).computerDnsName ?? "",
    /control character \(U\+0007\)/,
  );
  t.deepEqual(
    failuresOf({ computerDnsName: UNKNOWN_VALUE, comment: "IR", deviceWaitInMinutes: UNKNOWN_VALUE }),
    {},
  );
  t.deepEqual(
    failuresOf({ machineId: ID, comment: "IR", deviceWaitInMinutes: 5, requireActiveDevice: true }),
    {},
  );
});

// What a name-targeted resource stores after create: the resolved machineId is an output.
const byNameState = {
  computerDnsName: NAME,
  machineId: ID,
  comment: "IR",
  deviceWaitInMinutes: 0,
  requireActiveDevice: false,
};

test("diff: a name-targeted resource whose machineId became known does not change", async (t) => {
  const diff = await collectionProvider.diff(ACTION, byNameState, {
    computerDnsName: NAME,
    comment: "IR",
    deviceWaitInMinutes: 0,
    requireActiveDevice: false,
  });
  t.deepEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false });
});

test("diff: a machineId resource whose computerDnsName output became known does not change", async (t) => {
  const diff = await collectionProvider.diff(
    ACTION,
    { machineId: ID, computerDnsName: "WS-042.contoso.com", comment: "IR" },
    {
      machineId: ID,
      comment: "IR",
    },
  );
  t.deepEqual(diff.replaces, []);
  t.false(diff.changes);
});

test("diff: another computerDnsName replaces; its case alone does not; an unknown one may", async (t) => {
  const news = { ...byNameState, machineId: undefined };
  t.deepEqual(
    (await collectionProvider.diff(ACTION, byNameState, { ...news, computerDnsName: "ws-043.contoso.com" }))
      .replaces,
    ["computerDnsName"],
  );
  t.false((await collectionProvider.diff(ACTION, byNameState, { ...news, computerDnsName: NAME })).changes);
  t.deepEqual(
    (await collectionProvider.diff(ACTION, byNameState, { ...news, computerDnsName: UNKNOWN_VALUE }))
      .replaces,
    ["computerDnsName"],
  );
});

test("diff: switching between the name and the ID of the same device does not replace", async (t) => {
  t.deepEqual(
    (await collectionProvider.diff(ACTION, byNameState, { machineId: ID, comment: "IR" })).replaces,
    [],
  );
  const byIdState = { machineId: ID, computerDnsName: NAME, comment: "IR" };
  t.deepEqual(
    (await collectionProvider.diff(ACTION, byIdState, { computerDnsName: NAME, comment: "IR" })).replaces,
    [],
  );
  // The ID of another device does.
  t.deepEqual(
    (await collectionProvider.diff(ACTION, byNameState, { machineId: "2".repeat(40), comment: "IR" }))
      .replaces,
    ["machineId"],
  );
});

test("diff: deviceWaitInMinutes and requireActiveDevice only update state", async (t) => {
  const diff = await collectionProvider.diff(ACTION, byNameState, {
    computerDnsName: NAME,
    comment: "IR",
    deviceWaitInMinutes: 10,
    requireActiveDevice: true,
  });
  t.true(diff.changes);
  t.deepEqual(diff.replaces, []);
});

test("update keeps the resolved machineId of a name-targeted resource", (t) => {
  const inputs = withStoredTarget(collectionInputs({ computerDnsName: NAME, comment: "IR" }), byNameState);
  t.is(inputs.machineId, ID);
  t.is(
    withStoredTarget(collectionInputs({ machineId: "2".repeat(40), comment: "IR" }), byNameState).machineId,
    "2".repeat(40),
  );
});

test("outputs keep the declared name while Defender reports none, and Defender's once it does", (t) => {
  const inputs = { ...collectionInputs({ computerDnsName: NAME, comment: "IR" }), machineId: ID };
  const action = {
    id: ACTION,
    type: "CollectInvestigationPackage",
    status: "Pending" as const,
    machineId: ID,
    creationDateTimeUtc: "2026-11-26T10:00:00Z",
    computerDnsName: null,
  };
  t.like(collectionOutputs(inputs, action, false), { computerDnsName: NAME, machineId: ID });
  t.like(collectionOutputs(inputs, { ...action, computerDnsName: "WS-042.contoso.com" }, false), {
    computerDnsName: "WS-042.contoso.com",
  });
});
