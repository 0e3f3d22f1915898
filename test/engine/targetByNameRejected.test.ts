/**
 * Devices a collection cannot target: a name that matches nothing, a name two devices share, a name
 * with a quote (it must not change the query), a device not Active with `requireActiveDevice` (named
 * or by ID), and a device that does not appear within `deviceWaitInMinutes`. Each fails with a
 * message naming what was looked for and what to do; no collection starts and nothing is in state.
 */
import test from "ava";
import { InvestigationPackageCollection, type InvestigationPackageCollectionArgs } from "pulumi-mde";
import { FLEET_ROLES } from "pulumi-mde-emulator";
import { callsOf, emulatorStack, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets, expectFailure, failureOf, upContinuing } from "../helpers/faults";

// The four-minute wait passes in two seconds.
const TIME_SCALE = 120;
const QUOTED = "x' or computerDnsName ne 'x";

const targets: Record<string, Omit<InvestigationPackageCollectionArgs, "comment">> = {
  "no-match": { computerDnsName: "ghost-9999.contoso.com" },
  ambiguous: { computerDnsName: FLEET_ROLES.reonboarded.computerDnsName },
  quote: { computerDnsName: QUOTED },
  "inactive-by-name": { computerDnsName: FLEET_ROLES.offline.computerDnsName, requireActiveDevice: true },
  "inactive-by-id": { machineId: FLEET_ROLES.reonboarded.stale.id, requireActiveDevice: true },
  "never-onboards": { computerDnsName: "lab-vm-never.contoso.com", deviceWaitInMinutes: 4 },
};

test("unknown, shared, quoted, inactive and never-onboarding devices each fail clearly, and none is collected", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE });
  t.teardown(() => em.close());
  const s = await emulatorStack(em, async () => {
    for (const [name, target] of Object.entries(targets)) {
      expectFailure(new InvestigationPackageCollection(name, { ...target, comment: `IR-4711: ${name}` }));
    }
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, upContinuing(s));
  t.is(callsOf(em, "collect").length, 0, "no collection started");
  t.deepEqual((await s.exportState()).resources, [], "nothing in state");

  t.regex(
    failure,
    /No device named "ghost-9999.contoso.com" in Defender for Endpoint\. Give the name as Defender shows it[^\n]*set deviceWaitInMinutes to wait for it\. Nothing was collected\. \[MDE_NOT_FOUND\]/,
  );

  const { reonboarded } = FLEET_ROLES;
  t.regex(
    failure,
    new RegExp(
      `2 devices are named "${reonboarded.computerDnsName}"[^\\n]*none was chosen and nothing was collected`,
    ),
  );
  // Every candidate with its ID, health and last seen, the current one first.
  const active = new RegExp(
    `- ${reonboarded.active.id} \\(${reonboarded.computerDnsName}\\): healthStatus Active, lastSeen \\S+ \\(\\d+ minutes? ago\\)`,
  );
  const stale = new RegExp(
    `- ${reonboarded.stale.id} \\(${reonboarded.computerDnsName}\\): healthStatus Inactive, lastSeen \\S+ \\(45 days ago\\)`,
  );
  t.regex(failure, active);
  t.regex(failure, stale);
  t.true(failure.search(active) < failure.search(stale), "the device seen last first");
  t.regex(
    failure,
    new RegExp(`replace computerDnsName with machineId \\(e\\.g\\. machineId: "${reonboarded.active.id}"`),
  );

  // The quote is doubled in the query: the name matches nothing instead of every device.
  t.regex(failure, /No device named "x' or computerdnsname ne 'x" in Defender for Endpoint/);
  const queries = callsOf(em, "listMachines").map((c) => decodeURIComponent(c.path));
  t.true(
    queries.some((q) => q.includes("$filter=computerDnsName eq 'x'' or computerdnsname ne ''x'")),
    queries.join("\n"),
  );

  t.regex(
    failure,
    new RegExp(
      `Device ${FLEET_ROLES.offline.computerDnsName} \\(ID ${FLEET_ROLES.offline.id}\\) is Inactive, not Active \\(last seen \\S+[^\\n]*requireActiveDevice is true, so no collection was started`,
    ),
  );
  t.regex(
    failure,
    new RegExp(
      `Device ${reonboarded.computerDnsName} \\(ID ${reonboarded.stale.id}\\) is Inactive, not Active \\(last seen \\S+ \\(45 days ago\\)\\)`,
    ),
  );
  t.true(
    callsOf(em, "getMachine").some((c) => c.path.endsWith(reonboarded.stale.id)),
    "by ID: one device read",
  );

  t.regex(
    failure,
    /No device named "lab-vm-never.contoso.com" appeared in Defender for Endpoint within 4 minutes \(deviceWaitInMinutes\)\.[^\n]*If it is still onboarding, raise deviceWaitInMinutes/,
  );
  const waitLookups = queries.filter((q) => q.includes("lab-vm-never")).length;
  t.true(waitLookups >= 2, `looked again while waiting (${waitLookups} lookups)`);
  assertNoSecrets(t, { error: failure, output: s.output() }, emulatorSecrets(em));
});
