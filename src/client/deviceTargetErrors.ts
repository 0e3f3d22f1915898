/**
 * The errors of choosing a device before acting on it: no device by that name (or ID), several devices
 * sharing the name, a device that is not Active. Each names what was looked for, what was found and what
 * to do, and says that nothing was started.
 */
import { DefenderError } from "../core/errors";
import type { Machine } from "./wireTypes";

/** Why a device could not be targeted, in `DefenderError.details.reason`. */
export type DeviceTargetProblem = "deviceNotFound" | "deviceAmbiguous" | "deviceNotActive";

/** How a device was named: by its computer DNS name or by its device ID. */
export type DeviceKey = { computerDnsName: string } | { machineId: string };

function ago(iso: string | null | undefined, nowMs: number): string {
  const ms = nowMs - Date.parse(iso ?? "");
  if (!Number.isFinite(ms)) return "";
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 120) return ` (${minutes} minute${minutes === 1 ? "" : "s"} ago)`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return ` (${hours} hours ago)`;
  return ` (${Math.round(hours / 24)} days ago)`;
}

/** One line describing a device: ID, name, health, last seen, platform. */
export function describeMachine(machine: Machine, nowMs: number = Date.now()): string {
  const lastSeen = machine.lastSeen ? `${machine.lastSeen}${ago(machine.lastSeen, nowMs)}` : "never";
  return `${machine.id} (${machine.computerDnsName ?? "no name"}): healthStatus ${machine.healthStatus ?? "unknown"}, lastSeen ${lastSeen}, osPlatform ${machine.osPlatform ?? "unknown"}`;
}

function keyText(key: DeviceKey): string {
  return "computerDnsName" in key
    ? `named ${JSON.stringify(key.computerDnsName)}`
    : `with ID ${JSON.stringify(key.machineId)}`;
}

/**
 * No device matches. `waitedInMinutes` is how long the lookup waited for one to appear (0: it did not).
 */
export function deviceNotFound(key: DeviceKey, waitedInMinutes: number): DefenderError {
  const byName = "computerDnsName" in key;
  const what = byName
    ? "Give the name as Defender shows it, usually the full DNS name (e.g. ws-042.contoso.com; compared without case); getMachines() lists the devices and their names."
    : "Check the device ID on the device's page in the Defender portal.";
  const found =
    waitedInMinutes > 0
      ? `appeared in Defender for Endpoint within ${waitedInMinutes} minute${waitedInMinutes === 1 ? "" : "s"} (deviceWaitInMinutes)`
      : "in Defender for Endpoint";
  const onboarding =
    waitedInMinutes > 0
      ? "If it is still onboarding, raise deviceWaitInMinutes; otherwise check that its sensor is onboarded to this tenant."
      : "A device still onboarding (a VM that just booted) appears minutes later: set deviceWaitInMinutes to wait for it.";
  return new DefenderError(
    "MDE_NOT_FOUND",
    `No device ${keyText(key)} ${found}. ${what} ${onboarding} Nothing was collected.`,
    { operation: byName ? "listMachines" : "getMachine", details: { reason: "deviceNotFound", ...key } },
  );
}

/**
 * Several devices share the name (a re-onboarded or re-imaged device keeps its name and gets a new ID;
 * the old record stays until it ages out). Lists every one, last seen first, and how to pick one.
 */
export function deviceAmbiguous(
  computerDnsName: string,
  machines: readonly Machine[],
  nowMs: number = Date.now(),
): DefenderError {
  const sorted = [...machines].sort(
    (a, b) => (Date.parse(b.lastSeen ?? "") || 0) - (Date.parse(a.lastSeen ?? "") || 0),
  );
  const lines = sorted.map((m) => `  - ${describeMachine(m, nowMs)}`).join("\n");
  const newest = sorted.find((m) => m.healthStatus === "Active") ?? sorted[0];
  return new DefenderError(
    "MDE_DEVICE_AMBIGUOUS",
    `${machines.length} devices are named ${JSON.stringify(computerDnsName)} (a re-onboarded device keeps its name and gets a new ID; the old record stays until it ages out), so none was chosen and nothing was collected:\n${lines}\nPick one by its ID: replace computerDnsName with machineId${newest ? ` (e.g. machineId: "${newest.id}", the ${newest.healthStatus === "Active" ? "Active device seen last" : "one seen last"})` : ""}.`,
    {
      operation: "listMachines",
      details: { reason: "deviceAmbiguous", computerDnsName, candidates: sorted.map((m) => m.id) },
    },
  );
}

/** The device's `healthStatus` is not `Active` and the caller asked for an active device. */
export function deviceNotActive(machine: Machine, nowMs: number = Date.now()): DefenderError {
  const status = machine.healthStatus ?? "unknown";
  const lastSeen = machine.lastSeen ? `${machine.lastSeen}${ago(machine.lastSeen, nowMs)}` : "never";
  return new DefenderError(
    "MDE_DEVICE_NOT_ACTIVE",
    `Device ${machine.computerDnsName ?? machine.id} (ID ${machine.id}) is ${status}, not Active (last seen ${lastSeen}), and requireActiveDevice is true, so no collection was started: a device that does not report would leave it Pending until it times out. Bring the device online (or check its sensor health), or set requireActiveDevice: false to queue the collection anyway.`,
    {
      operation: "getMachine",
      details: { reason: "deviceNotActive", machineId: machine.id, healthStatus: status },
    },
  );
}
