import test from "ava";
import type { ListOptions } from "../../src/client/defenderClient";
import {
  findMachinesByName,
  listAllMachines,
  type MachineReader,
  resolveMachine,
} from "../../src/client/machineQuery";
import type { Machine } from "../../src/client/wireTypes";
import { isDefenderError } from "../../src/core/errors";

const hex = (n: number) => n.toString(16).padStart(40, "0");

function device(n: number, extra: Partial<Machine> = {}): Machine {
  return {
    id: hex(n),
    computerDnsName: `ws-${n}.contoso.com`,
    healthStatus: "Active",
    lastSeen: new Date(Date.now() - 60_000).toISOString(),
    osPlatform: "Windows11",
    ...extra,
  };
}

/** A Machines API over `fleet()` that pages like the real one and records every call. */
function fakeReader(fleet: () => Machine[], opts: { ignoreSkip?: boolean; ignoreFilter?: boolean } = {}) {
  const calls: Array<{ filter?: string; top?: number; skip?: number } | { get: string }> = [];
  const reader: MachineReader = {
    async listMachines(filter?: string, options: ListOptions = {}) {
      calls.push({ filter, top: options.top, skip: options.skip });
      let all = fleet();
      const name = /^computerDnsName eq '(.*)'$/.exec(filter ?? "")?.[1]?.replaceAll("''", "'");
      if (name !== undefined && !opts.ignoreFilter)
        all = all.filter((m) => m.computerDnsName?.toLowerCase() === name.toLowerCase());
      const skip = opts.ignoreSkip ? 0 : (options.skip ?? 0);
      return all.slice(skip, skip + (options.top ?? 1000));
    },
    async getMachine(idOrName: string) {
      calls.push({ get: idOrName });
      return fleet().find((m) => m.id === idOrName) ?? null;
    },
  };
  return { reader, calls };
}

test("listAllMachines pages with $top and $skip until a short page", async (t) => {
  const fleet = Array.from({ length: 25 }, (_, i) => device(i + 1));
  const { reader, calls } = fakeReader(() => fleet);
  const all = await listAllMachines(reader, "healthStatus eq 'Active'", { pageSize: 10 });
  t.is(all.length, 25);
  t.deepEqual(
    calls.map((c) => ("skip" in c ? c.skip : undefined)),
    [undefined, 10, 20],
  );
  t.true(calls.every((c) => "top" in c && c.top === 10 && c.filter === "healthStatus eq 'Active'"));
});

test("listAllMachines uses pages of 10000 by default; an exact multiple costs one empty page", async (t) => {
  const { reader, calls } = fakeReader(() => Array.from({ length: 20_000 }, (_, i) => device(i + 1)));
  t.is((await listAllMachines(reader, undefined)).length, 20_000);
  t.deepEqual(
    calls.map((c) => ("top" in c ? [c.top, c.skip] : [])),
    [
      [10_000, undefined],
      [10_000, 10_000],
      [10_000, 20_000],
    ],
  );
});

test("listAllMachines keeps a device seen twice once and stops when a page adds nothing", async (t) => {
  const fleet = Array.from({ length: 5 }, (_, i) => device(i + 1));
  const { reader, calls } = fakeReader(() => fleet, { ignoreSkip: true });
  t.is((await listAllMachines(reader, undefined, { pageSize: 5 })).length, 5);
  t.is(calls.length, 2, "a server ignoring $skip cannot loop it forever");
});

test("findMachinesByName sends the name lower-cased and escaped, and keeps only exact matches", async (t) => {
  const fleet = [device(1, { computerDnsName: "O'Brien-PC.contoso.com" }), device(2)];
  const { reader, calls } = fakeReader(() => fleet);
  const found = await findMachinesByName(reader, " O'BRIEN-pc.contoso.com ");
  t.deepEqual(
    found.map((m) => m.id),
    [hex(1)],
  );
  t.is((calls[0] as { filter: string }).filter, "computerDnsName eq 'o''brien-pc.contoso.com'");
  // A server (or proxy) that ignores $filter must not make another device match.
  const loose = fakeReader(() => fleet, { ignoreFilter: true });
  t.deepEqual(await findMachinesByName(loose.reader, "ws-2.contoso.com"), [fleet[1]]);
});

test("resolveMachine by name: one match is the device", async (t) => {
  const { reader } = fakeReader(() => [device(1), device(2)]);
  t.is((await resolveMachine(reader, { computerDnsName: "WS-2.contoso.com" })).id, hex(2));
});

test("resolveMachine by name: no match is MDE_NOT_FOUND naming the name and the way to wait", async (t) => {
  const { reader } = fakeReader(() => [device(1)]);
  const error = await t.throwsAsync(resolveMachine(reader, { computerDnsName: "ghost.contoso.com" }));
  t.true(isDefenderError(error, "MDE_NOT_FOUND"));
  t.regex(
    error.message,
    /No device named "ghost.contoso.com" in Defender for Endpoint\. Give the name as Defender shows it/,
  );
  t.regex(error.message, /set deviceWaitInMinutes/);
  t.regex(error.message, /Nothing was collected/);
});

test("resolveMachine by name: several matches list every candidate, last seen first, and how to pick", async (t) => {
  const name = "reimaged.contoso.com";
  const stale = device(1, {
    computerDnsName: name,
    healthStatus: "Inactive",
    lastSeen: new Date(Date.now() - 45 * 86_400_000).toISOString(),
  });
  const current = device(2, { computerDnsName: name });
  const { reader } = fakeReader(() => [stale, current]);
  const error = await t.throwsAsync(resolveMachine(reader, { computerDnsName: name }));
  t.true(isDefenderError(error, "MDE_DEVICE_AMBIGUOUS"));
  t.is((error as { details?: { reason?: string } }).details?.reason, "deviceAmbiguous");
  t.regex(error.message, /2 devices are named "reimaged.contoso.com"/);
  t.regex(
    error.message,
    new RegExp(`- ${hex(2)} \\(${name}\\): healthStatus Active, lastSeen \\S+ \\(1 minute ago\\)`),
  );
  t.regex(
    error.message,
    new RegExp(`- ${hex(1)} \\(${name}\\): healthStatus Inactive, lastSeen \\S+ \\(45 days ago\\)`),
  );
  t.true(error.message.indexOf(hex(2)) < error.message.indexOf(hex(1)), "the one seen last first");
  t.regex(error.message, new RegExp(`replace computerDnsName with machineId \\(e.g. machineId: "${hex(2)}"`));
});

test("resolveMachine with requireActive: a device not Active fails with its status and last seen", async (t) => {
  const inactive = device(3, { healthStatus: "Inactive", lastSeen: "2026-01-01T00:00:00Z" });
  const { reader } = fakeReader(() => [inactive]);
  const error = await t.throwsAsync(resolveMachine(reader, { machineId: hex(3) }, { requireActive: true }));
  t.true(isDefenderError(error, "MDE_DEVICE_NOT_ACTIVE"));
  t.regex(error.message, /is Inactive, not Active \(last seen 2026-01-01T00:00:00Z/);
  t.regex(error.message, /requireActiveDevice is true, so no collection was started/);
  // Without the flag the same device is fine.
  t.is((await resolveMachine(reader, { machineId: hex(3) })).id, hex(3));
});

// Timing tests run alone: other tests building large fleets would hold the event loop.
test.serial(
  "resolveMachine waits for a device that appears later, looking again on the scaled interval",
  async (t) => {
    const fleet: Machine[] = [];
    const { reader, calls } = fakeReader(() => fleet);
    // Scale 600: one minute is 100 ms, the 30-second poll interval 50 ms.
    setTimeout(() => fleet.push(device(7, { computerDnsName: "lab-vm.contoso.com" })), 120);
    const started = Date.now();
    const machine = await resolveMachine(
      reader,
      { computerDnsName: "lab-vm.contoso.com" },
      { waitInMinutes: 10, timeScale: 600 },
    );
    t.is(machine.id, hex(7));
    t.true(calls.length >= 2 && calls.length <= 5, `${calls.length} lookups`);
    t.true(Date.now() - started < 1000, "found on the next look, not at the deadline");
  },
);

test.serial("resolveMachine gives up at the deadline with one last look, naming the wait", async (t) => {
  const { reader, calls } = fakeReader(() => []);
  const started = Date.now();
  const error = await t.throwsAsync(
    resolveMachine(reader, { computerDnsName: "never.contoso.com" }, { waitInMinutes: 1, timeScale: 600 }),
  );
  const elapsed = Date.now() - started;
  t.true(elapsed >= 95 && elapsed < 600, `${elapsed} ms`);
  t.true(calls.length >= 2, `${calls.length} lookups: the first at once, the last at the deadline`);
  t.regex(
    error.message,
    /No device named "never.contoso.com" appeared in Defender for Endpoint within 1 minute \(deviceWaitInMinutes\)\./,
  );
});
