import test from "ava";
import { EarlierAttempts } from "../../src/client/earlierAttempts";
import type { MachineAction } from "../../src/client/wireTypes";
import { actionMarker, markedComment } from "../../src/resources/shared/actionMarker";

const base = {
  stack: "ir/prod",
  name: "ws-042",
  machineId: "a".repeat(40),
  comment: "IR-4711: alert 1234",
  triggers: ["1"],
};

const CPK = "CollectInvestigationPackage";

test("the marker is stable for one declared collection and changes with what starts a new one", (t) => {
  const marker = actionMarker(base);
  t.regex(marker, /^pulumi-mde:[0-9a-f]{10}$/);
  t.is(actionMarker({ ...base }), marker, "same inputs, same marker: a re-run finds its action");
  t.is(actionMarker({ ...base, machineId: base.machineId.toUpperCase() }), marker, "device id case");
  for (const changed of [
    { triggers: ["2"] },
    { comment: "IR-4711: alert 1235" },
    { machineId: "b".repeat(40) },
    { name: "ws-043" },
    { stack: "ir/test" },
  ]) {
    t.not(actionMarker({ ...base, ...changed }), marker, JSON.stringify(changed));
  }
  t.is(markedComment(base.comment, marker), `IR-4711: alert 1234 [${marker}]`);
});

function action(n: number, machineId: string, requestorComment: string, minutesAgo = 60): MachineAction {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    type: "CollectInvestigationPackage",
    status: "Succeeded",
    machineId,
    requestorComment,
    creationDateTimeUtc: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  };
}

test("earlier attempts: one window query serves every create; exact comment and device only", async (t) => {
  const sent = markedComment(base.comment, actionMarker(base));
  const actions = [
    action(1, base.machineId, sent, 120),
    action(2, base.machineId, sent, 30),
    action(3, base.machineId, base.comment, 10),
    action(4, "b".repeat(40), sent, 5),
  ];
  const filters: string[] = [];
  const index = new EarlierAttempts({
    async listMachineActions(filter) {
      filters.push(filter);
      return actions;
    },
  });
  t.is(
    (await index.find(CPK, base.machineId, sent))?.id,
    actions[1]?.id,
    "the newest with this exact comment",
  );
  t.is(await index.find(CPK, base.machineId, "another comment"), undefined);
  t.is(await index.find(CPK, "c".repeat(40), sent), undefined);
  t.is(filters.length, 1, "one query for all look-ups");
  t.regex(filters[0] ?? "", /^type eq 'CollectInvestigationPackage' and creationDateTimeUtc ge \S+Z$/);
  const mine = action(5, "c".repeat(40), "new");
  index.remember(mine);
  t.is((await index.find(CPK, "c".repeat(40), "new"))?.id, mine.id, "what this process posted is known");
  t.is(filters.length, 1);
});

test("earlier attempts: actions of another type never match, and each type is listed once", async (t) => {
  const sent = "IR-1 [pulumi-mde:0000000001]";
  const filters: string[] = [];
  const isolation = { ...action(1, "a".repeat(40), sent), type: "Isolate" };
  const index = new EarlierAttempts({
    async listMachineActions(filter) {
      filters.push(filter);
      return filter.includes("'Isolate'") ? [isolation] : [];
    },
  });
  t.is(await index.find(CPK, "a".repeat(40), sent), undefined, "a collection is not an isolation");
  t.is((await index.find("Isolate", "a".repeat(40), sent))?.id, isolation.id);
  t.is(filters.length, 2);
});

test("earlier attempts: a failed window query is tried again, and its error reaches the caller", async (t) => {
  let calls = 0;
  const index = new EarlierAttempts({
    async listMachineActions() {
      calls++;
      if (calls === 1) throw new Error("503");
      return [];
    },
  });
  await t.throwsAsync(index.find(CPK, "a".repeat(40), "x"), { message: "503" });
  t.is(await index.find(CPK, "a".repeat(40), "x"), undefined);
  t.is(calls, 2);
});
