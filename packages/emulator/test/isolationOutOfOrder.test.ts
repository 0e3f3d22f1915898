import test from "ava";
import { type Emulator, FLEET_ROLES, startEmulator } from "../src";
import { send, tokenFor, waitForStatus } from "./support";

// microsoft-365-docs#5903: isolate and release sent close together completed out of order.
// Tests are serial: the fault is taken by the next isolate call, whichever test makes it.
const LIFECYCLE = { pendingSeconds: 100, inProgressSeconds: 400, offlineTimeoutSeconds: 1000 };

let em: Emulator;
let token: string;
test.before(async () => {
  em = await startEmulator({ timeScale: 1000, lifecycle: LIFECYCLE, tokenLifetimeSeconds: 86_400 });
  token = await tokenFor(em);
});
test.after.always(() => em?.close());

const [windows10, windows11, server] = FLEET_ROLES.healthy;
const post = (machineId: string, verb: "isolate" | "unisolate") =>
  send(em, "POST", `/api/machines/${machineId}/${verb}`, { token, json: { Comment: `IR-5903: ${verb}` } });

test.serial(
  "completeAfterRelease: a release posted while the isolation is pending completes first; the device ends isolated",
  async (t) => {
    const device = windows10!;
    em.injectFault({ route: "isolate", kind: "completeAfterRelease" });
    const isolation = await post(device.id, "isolate");
    t.is(isolation.status, 201, "the fault does not change the answer");
    const release = await post(device.id, "unisolate");
    t.is(release.status, 201);
    const released = await waitForStatus(em, token, release.json.id, "Succeeded");
    const isolated = await waitForStatus(em, token, isolation.json.id, "Succeeded");
    t.is(released.status, "Succeeded");
    t.is(isolated.status, "Succeeded");
    t.true(
      Date.parse(isolated.lastUpdateDateTimeUtc) > Date.parse(released.lastUpdateDateTimeUtc),
      "the isolation completed after the later release",
    );
    const state = em.isolationOf(device.id);
    t.true(state.isolated, "left isolated, as in #5903");
    t.is(state.actionId, isolation.json.id);
  },
);

test.serial("without the fault the same sequence ends released", async (t) => {
  const device = windows11!;
  const isolation = await post(device.id, "isolate");
  const release = await post(device.id, "unisolate");
  await waitForStatus(em, token, isolation.json.id, "Succeeded");
  await waitForStatus(em, token, release.json.id, "Succeeded");
  t.false(em.isolationOf(device.id).isolated);
});

test.serial(
  "a client that waits for the isolation before releasing is not affected by the fault",
  async (t) => {
    const device = server!;
    em.injectFault({ route: "isolate", kind: "completeAfterRelease" });
    const isolation = await post(device.id, "isolate");
    const done = await waitForStatus(em, token, isolation.json.id, "Succeeded");
    t.is(done.status, "Succeeded", "no release came: it completes on its own schedule");
    const release = await post(device.id, "unisolate");
    await waitForStatus(em, token, release.json.id, "Succeeded");
    t.false(em.isolationOf(device.id).isolated);
  },
);

test.serial("completeAfterRelease is refused on another route", (t) => {
  t.throws(() => em.injectFault({ route: "unisolate", kind: "completeAfterRelease" }), {
    message: /route isolate only/,
  });
});
