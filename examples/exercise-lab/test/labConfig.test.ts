/** The `lab:*` checks: defaults, and a message naming the key for each wrong value. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLabSettings } from "../src/labConfig";

describe("parseLabSettings", () => {
  it("fills in the defaults around the one required value", () => {
    assert.deepEqual(parseLabSettings({ incidentId: "IR-4711" }), {
      location: "eastus",
      adminUsername: "labadmin",
      incidentId: "IR-4711",
      evidenceWriterPrincipalId: undefined,
      immutabilityDays: 1,
      vmSize: "Standard_B2s",
      computerName: "mde-lab-01",
      defenderPlan: "P1",
      manageDefenderPlan: true,
      deviceWaitInMinutes: 60,
      completionTimeoutInMinutes: 60,
      collectionRevision: "1",
    });
  });

  it("takes the evidence writer's object ID as a GUID, naming the key otherwise", () => {
    const id = "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9";
    assert.equal(
      parseLabSettings({ incidentId: "IR-1", evidenceWriterPrincipalId: id }).evidenceWriterPrincipalId,
      id.toLowerCase(),
    );
    assert.throws(
      () => parseLabSettings({ incidentId: "IR-1", evidenceWriterPrincipalId: "me" }),
      /lab:evidenceWriterPrincipalId/,
    );
  });

  it("refuses a missing or path-like incident ID", () => {
    assert.throws(() => parseLabSettings({}), /lab:incidentId is required/);
    assert.throws(() => parseLabSettings({ incidentId: "../etc" }), /lab:incidentId/);
  });

  it("refuses retention, waits and plans out of range, naming the key", () => {
    const base = { incidentId: "IR-1" };
    assert.throws(
      () => parseLabSettings({ ...base, immutabilityDays: "0" }),
      /lab:immutabilityDays .* 1 to 146000/,
    );
    assert.throws(() => parseLabSettings({ ...base, immutabilityDays: "1.5" }), /lab:immutabilityDays/);
    assert.throws(
      () => parseLabSettings({ ...base, deviceWaitInMinutes: "1441" }),
      /lab:deviceWaitInMinutes/,
    );
    assert.throws(
      () => parseLabSettings({ ...base, defenderPlan: "P3" }),
      /lab:defenderPlan must be P1 or P2/,
    );
    assert.throws(() => parseLabSettings({ ...base, manageDefenderPlan: "yes" }), /lab:manageDefenderPlan/);
    assert.equal(parseLabSettings({ ...base, defenderPlan: "p2" }).defenderPlan, "P2");
  });

  it("refuses Windows names Azure would refuse", () => {
    const base = { incidentId: "IR-1" };
    assert.throws(
      () => parseLabSettings({ ...base, computerName: "a-very-long-host-name" }),
      /lab:computerName/,
    );
    assert.throws(() => parseLabSettings({ ...base, computerName: "12345" }), /lab:computerName/);
    assert.throws(() => parseLabSettings({ ...base, adminUsername: "Administrator" }), /lab:adminUsername/);
  });
});
