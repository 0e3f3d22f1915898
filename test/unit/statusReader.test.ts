import test from "ava";
import { StatusReader } from "../../src/client/statusReader";
import type { MachineAction } from "../../src/client/wireTypes";
import { DefenderError } from "../../src/core/errors";

function action(n: number, status: MachineAction["status"] = "Pending", minutesAgo = 5): MachineAction {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    type: "CollectInvestigationPackage",
    status,
    machineId: "a".repeat(40),
    creationDateTimeUtc: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  };
}

/** A fake API that answers from `actions` and records every call. */
function fakeSource(actions: MachineAction[], opts: { rejectLists?: boolean; failGet?: string } = {}) {
  const calls: Array<{ kind: "get" | "list"; arg: string }> = [];
  const byId = new Map(actions.map((a) => [a.id, a]));
  return {
    calls,
    source: {
      async getMachineAction(id: string) {
        calls.push({ kind: "get" as const, arg: id });
        if (id === opts.failGet) throw new DefenderError("MDE_FORBIDDEN", "forbidden", { status: 403 });
        return byId.get(id) ?? null;
      },
      async listMachineActions(filter: string, o: { top: number; skip?: number }) {
        calls.push({ kind: "list" as const, arg: filter });
        if (opts.rejectLists)
          throw new DefenderError("MDE_BAD_REQUEST", "bad filter", { status: 400, apiCode: "ODataError" });
        const ids = [...filter.matchAll(/id eq '([^']+)'/g)].map((m) => m[1]);
        const since = /creationDateTimeUtc ge (\S+)/.exec(filter)?.[1];
        const hits = actions.filter((a) =>
          ids.length > 0
            ? ids.includes(a.id)
            : since
              ? Date.parse(a.creationDateTimeUtc) >= Date.parse(since)
              : true,
        );
        return hits.slice(o.skip ?? 0, (o.skip ?? 0) + o.top);
      },
    },
  };
}

test("one pending read is a single GET", async (t) => {
  const a = action(1);
  const { calls, source } = fakeSource([a]);
  const reader = new StatusReader(source);
  t.is((await reader.read(a.id))?.id, a.id);
  t.deepEqual(calls, [{ kind: "get", arg: a.id }]);
});

test("reads arriving together become one id-filter query; each gets its own action, a missing one null", async (t) => {
  const actions = Array.from({ length: 10 }, (_, i) => action(i + 1));
  const { calls, source } = fakeSource(actions);
  const reader = new StatusReader(source);
  const missing = action(99).id;
  const answers = await Promise.all([...actions.map((a) => reader.read(a.id)), reader.read(missing)]);
  t.is(calls.length, 1);
  t.is(calls[0]?.kind, "list");
  t.deepEqual(
    answers.map((a) => a?.id ?? null),
    [...actions.map((a) => a.id), null],
  );
});

test("many reads with creation hints: one window query, and final answers serve later reads without calls", async (t) => {
  const actions = Array.from({ length: 300 }, (_, i) => action(i + 1, "Succeeded", 30 - i / 100));
  const { calls, source } = fakeSource(actions);
  const reader = new StatusReader(source);
  const first = actions.slice(0, 50);
  await Promise.all(first.map((a) => reader.read(a.id, { createdAt: a.creationDateTimeUtc, type: a.type })));
  t.is(calls.length, 1, "one window query");
  t.regex(calls[0]?.arg ?? "", /^creationDateTimeUtc ge \S+ and type eq 'CollectInvestigationPackage'$/);
  // The rest were in the window: a refresh of all 300 makes no further call.
  const rest = await Promise.all(actions.slice(50).map((a) => reader.read(a.id)));
  t.true(rest.every((a, i) => a?.id === actions[50 + i]?.id && a?.status === "Succeeded"));
  t.is(calls.length, 1);
});

test("a running action's answer is fresh only for a few seconds", async (t) => {
  let now = 1_000_000;
  const a = action(1, "InProgress");
  const { calls, source } = fakeSource([a]);
  const reader = new StatusReader(source, { now: () => now });
  await reader.read(a.id);
  now += 1_000;
  await reader.read(a.id);
  t.is(calls.length, 1, "served from the recent answer");
  now += 10_000;
  await reader.read(a.id);
  t.is(calls.length, 2, "asked again once stale");
});

test("a rejected filter falls back to single GETs for good, said once", async (t) => {
  const actions = Array.from({ length: 3 }, (_, i) => action(i + 1));
  const { calls, source } = fakeSource(actions, { rejectLists: true });
  const lines: string[] = [];
  const reader = new StatusReader(source, { log: (l) => lines.push(l) });
  const first = await Promise.all(actions.map((a) => reader.read(a.id)));
  t.deepEqual(
    first.map((a) => a?.id),
    actions.map((a) => a.id),
  );
  const before = calls.filter((c) => c.kind === "list").length;
  await Promise.all(actions.map((a) => reader.read(a.id, {}, 0)));
  t.is(calls.filter((c) => c.kind === "list").length, before, "no list call after the fallback");
  t.is(lines.length, 1);
});

test("a failing read fails only its own caller", async (t) => {
  const actions = Array.from({ length: 3 }, (_, i) => action(i + 1));
  const { source } = fakeSource(actions, { rejectLists: true, failGet: actions[1]?.id as string });
  const reader = new StatusReader(source);
  const results = await Promise.allSettled(actions.map((a) => reader.read(a.id)));
  t.is(results[0]?.status, "fulfilled");
  t.is(results[1]?.status, "rejected");
  t.is(results[2]?.status, "fulfilled");
});

test("a refresh eight reads at a time (the engine's default parallelism) costs one window query", async (t) => {
  const actions = Array.from({ length: 200 }, (_, i) => action(i + 1, "Succeeded", 20 - i / 20));
  const { calls, source } = fakeSource(actions);
  const reader = new StatusReader(source);
  for (let i = 0; i < actions.length; i += 8) {
    const batch = actions.slice(i, i + 8);
    const answers = await Promise.all(
      batch.map((a) => reader.read(a.id, { createdAt: a.creationDateTimeUtc, type: a.type })),
    );
    t.deepEqual(
      answers.map((a) => a?.id),
      batch.map((a) => a.id),
    );
  }
  t.is(calls.length, 1);
});

test("actions older than the window's reach are read by id, not by a window over months", async (t) => {
  const old = [action(1, "Succeeded", 60 * 24 * 30), action(2, "Succeeded", 60 * 24 * 31)];
  const { calls, source } = fakeSource(old);
  const reader = new StatusReader(source);
  await Promise.all(old.map((a) => reader.read(a.id, { createdAt: a.creationDateTimeUtc, type: a.type })));
  t.is(calls.length, 1);
  t.regex(calls[0]?.arg ?? "", /^id eq /);
});
