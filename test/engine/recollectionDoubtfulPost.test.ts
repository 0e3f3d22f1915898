/**
 * Issue 11, failure (c): a deliberate re-collection (`triggers` changed) whose POST meets a doubtful
 * outcome (one 500, or a connection reset). The look-up that follows finds the previous collection on
 * the device, sent with the same declared comment: it must not be taken for the new one. The new
 * collection carries a new marker, so the look-up finds nothing of its own and the POST is sent again.
 *
 * Regression: the look-up matched the declared comment, took the previous action, and the replacement
 * held the old collection: a re-collection silently skipped. With cancelOnDelete the old action is
 * cancelled first, so the replacement held a Cancelled action and the `up` still reported success.
 */
import test, { type ExecutionContext } from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { FaultRule } from "pulumi-mde-emulator";
import { callsOf, emulatorStack, healthyFleet, healthyTemplate, startTestEmulator } from "pulumi-mde-harness";
import {
  assertNoSecrets,
  backendText,
  closeEmulatorApi,
  collectionsOn,
  emulatorSecrets,
  errorText,
  expectFailure,
  waitUntil,
} from "../helpers/faults";

const TIME_SCALE = 120;
const DAY = 86_400;
const COMMENT = "IR-1103: re-collect after the incident was updated";

type Doubt = "500" | "reset";

interface Case {
  doubt: Doubt;
  cancelOnDelete: boolean;
  /** waitForCompletion of the first and the second collection. */
  wait: [boolean, boolean];
}

const CASES: Case[] = [
  { doubt: "500", cancelOnDelete: false, wait: [true, true] },
  { doubt: "reset", cancelOnDelete: false, wait: [true, true] },
  { doubt: "500", cancelOnDelete: true, wait: [false, false] },
  { doubt: "reset", cancelOnDelete: true, wait: [false, true] },
];

const rule = (doubt: Doubt): FaultRule =>
  doubt === "500" ? { route: "collect", kind: "status", status: 500 } : { route: "collect", kind: "reset" };

/** The POST's status as recorded: 500, or 0 for a dropped connection. */
const recorded = (doubt: Doubt) => (doubt === "500" ? 500 : 0);

async function recollect(t: ExecutionContext, c: Case): Promise<void> {
  const [device] = healthyFleet(await healthyTemplate(), 1);
  // With cancelOnDelete the first collection must still run when it is replaced: devices pick work
  // up after a day (emulated) until the test moves time. Otherwise collections end in 1.5 s.
  const lifecycle = c.cancelOnDelete
    ? { pendingSeconds: DAY, inProgressSeconds: 60 }
    : { pendingSeconds: 60, inProgressSeconds: 120 };
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle, fleet: [device!] });
  t.teardown(async () => {
    await closeEmulatorApi(em);
    await em.close();
  });
  const machineId = device!.id;
  let generation = 0;
  const s = await emulatorStack(em, async () => {
    const collection = expectFailure(
      new InvestigationPackageCollection("device-0", {
        machineId,
        comment: COMMENT,
        triggers: [`revision-${generation + 1}`],
        waitForCompletion: c.wait[generation],
        cancelOnDelete: c.cancelOnDelete,
      }),
    );
    return { actionId: collection.actionId };
  });
  t.teardown(() => s.dispose());

  await s.up();
  const [first] = await collectionsOn(em, machineId);
  t.truthy(first, "the first collection exists");
  t.is((await s.exportState()).resources[0]?.id, first!.id);

  // The incident was updated: collect again. The new POST meets a doubtful outcome once.
  generation = 1;
  em.injectFault(rule(c.doubt));
  const postsBefore = callsOf(em, "collect").length;
  const upping = s.up().then(
    () => "",
    (e: unknown) => errorText(e),
  );
  if (c.cancelOnDelete && c.wait[1]) {
    // Let the new collection run once it exists (the previous one is cancelled by then).
    const created = () => callsOf(em, "collect").filter((p) => p.status === 201).length >= 2;
    await Promise.race([upping, waitUntil(created, 60_000, "the second collection")]);
    if (created()) em.advanceTime(2 * DAY);
  }
  const failure = await upping;
  t.is(failure, "", "the re-collection succeeds");

  const posts = callsOf(em, "collect").slice(postsBefore);
  t.deepEqual(
    posts.map((p) => p.status),
    [recorded(c.doubt), 201],
    "the doubtful POST, then a second one after the look-up found nothing of its own",
  );
  const [doubtful, created] = [posts[0]!, posts[1]!];
  t.true(
    callsOf(em, "listActions").some((l) => l.startMs >= doubtful.endMs && l.endMs <= created.startMs),
    "the device's collections were looked up between the two POSTs",
  );

  const actions = await collectionsOn(em, machineId);
  t.is(actions.length, 2, "two collections on the device: the previous one and the new one");
  const second = actions.find((a) => a.id !== first!.id);
  t.truthy(second, "a new action");
  const { resources } = await s.exportState();
  t.is(resources.length, 1);
  t.is(resources[0]?.id, second?.id, "the stack holds the new action");
  t.not(second?.requestorComment, first!.requestorComment, "under a new marker");
  t.true(second?.requestorComment?.startsWith(`${COMMENT} [pulumi-mde:`));
  const held = resources[0]?.outputs ?? {};
  t.not(held.status, "Cancelled", "the held collection is real");
  if (c.cancelOnDelete) {
    t.is(actions.find((a) => a.id === first!.id)?.status, "Cancelled", "the previous one was cancelled");
    t.not(second?.status, "Cancelled");
  }
  if (c.wait[1]) t.is(held.status, "Succeeded", "success was reported for the new collection, finished");
  assertNoSecrets(t, { output: s.output(), state: backendText(s) }, emulatorSecrets(em));
}

for (const c of CASES) {
  const how = c.cancelOnDelete
    ? `cancelOnDelete${c.wait[1] ? ", waiting" : ""}: the replacement holds a new action, not the Cancelled one`
    : "the replacement holds a new action, not the previous one";
  test(`re-collection whose POST meets ${c.doubt === "500" ? "a 500" : "a reset"}, ${how}`, (t) =>
    recollect(t, c));
}
