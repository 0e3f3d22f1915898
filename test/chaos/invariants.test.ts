/**
 * The chaos invariants catch what they are meant to: a duplicate, an orphan, a lost collection, a
 * skipped re-collection and a foreign action, each on its own.
 */
import test from "ava";
import { checkInvariants, type ExpectedCollection } from "./invariants";

const device = "a".repeat(40);
const c: ExpectedCollection = { name: "c-0", machineId: device, generations: ["IR [pulumi-mde:1]"] };
const action = (id: string, comment: string) => ({
  id,
  machineId: device,
  status: "Succeeded",
  requestorComment: comment,
});

test("one action, held: nothing to report", (t) => {
  const v = checkInvariants([c], [action("x", "IR [pulumi-mde:1]")], [{ name: "c-0", id: "x" }]);
  t.deepEqual(v.messages, []);
});

test("two actions under one marker: a duplicate, and the unheld one an orphan", (t) => {
  const v = checkInvariants(
    [c],
    [action("x", "IR [pulumi-mde:1]"), action("y", "IR [pulumi-mde:1]")],
    [{ name: "c-0", id: "x" }],
  );
  t.like(v, { duplicates: 1, orphans: 1, lost: 0 });
});

test("no action: lost; an action nobody holds: an orphan; another comment: foreign", (t) => {
  t.like(checkInvariants([c], [], [{ name: "c-0", id: "x" }]), { lost: 1 });
  t.like(checkInvariants([c], [action("x", "IR [pulumi-mde:1]")], []), { orphans: 1 });
  t.like(
    checkInvariants([c], [action("x", "IR [pulumi-mde:1]"), action("z", "IR")], [{ name: "c-0", id: "x" }]),
    { foreign: 1 },
  );
});

test("after a triggers change, holding the previous action is a skipped re-collection", (t) => {
  const changed = { ...c, generations: ["IR [pulumi-mde:1]", "IR [pulumi-mde:2]"], heldBefore: "x" };
  const both = [action("x", "IR [pulumi-mde:1]"), action("y", "IR [pulumi-mde:2]")];
  t.like(
    checkInvariants([changed], both, [{ name: "c-0", id: "x", requestorComment: "IR [pulumi-mde:1]" }]),
    {
      skippedRecollections: 1,
    },
  );
  t.deepEqual(
    checkInvariants([changed], both, [{ name: "c-0", id: "y", requestorComment: "IR [pulumi-mde:2]" }])
      .messages,
    [],
  );
});
