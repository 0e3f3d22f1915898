import test from "ava";
import { collectionProvider } from "../../src/resources/collection/collectionProvider";

const ACTION = "6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b";
const base = { machineId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07", comment: "IR-4711" };

test("removing adoptActionId that names this very action does not replace", async (t) => {
  const diff = await collectionProvider.diff(ACTION, { ...base, adoptActionId: ACTION }, { ...base });
  t.deepEqual(diff.replaces, []);
  t.true(diff.changes);
});

test("changing adoptActionId to another action replaces", async (t) => {
  const other = "7b3f2b5f-1f2d-4b4c-8e2f-3c8d9f0a1b2c";
  const diff = await collectionProvider.diff(
    ACTION,
    { ...base, adoptActionId: ACTION },
    { ...base, adoptActionId: other },
  );
  t.deepEqual(diff.replaces, ["adoptActionId"]);
});

test("with cancelOnDelete a replacement cancels the old action before starting the new one", async (t) => {
  const diff = await collectionProvider.diff(
    ACTION,
    { ...base },
    { ...base, comment: "IR-4712", cancelOnDelete: true },
  );
  t.deepEqual(diff.replaces, ["comment"]);
  t.true(diff.deleteBeforeReplace);
  const plain = await collectionProvider.diff(ACTION, { ...base }, { ...base, comment: "IR-4712" });
  t.falsy(plain.deleteBeforeReplace);
});
