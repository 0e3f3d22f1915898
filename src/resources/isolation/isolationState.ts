/**
 * Whether a device is isolated, and the ordering rule that keeps it right. The Machine entity has no
 * isolation field: the state is the latest succeeded Isolate or Unisolate action of the device. Isolate
 * and release sent close together can complete out of order and leave the device isolated (Microsoft's
 * docs issue #5903), so neither is ever posted while the other is pending on the device: the pending one
 * is waited for first.
 */
import type { DefenderClient } from "../../client/defenderClient";
import { odataString } from "../../client/odata";
import type { MachineAction } from "../../client/wireTypes";
import { DefenderError } from "../../core/errors";
import { waitForFinal } from "../shared/waitForFinal";

/** MachineAction type of an isolation. */
export const ISOLATE = "Isolate";
/** MachineAction type of a release from isolation. */
export const UNISOLATE = "Unisolate";

/** What decides a device's isolation. */
export interface IsolationFact {
  /** The latest succeeded Isolate or Unisolate action was an Isolate. */
  isolated: boolean;
  /** That action, when the device ever had one succeed. */
  decidedBy?: MachineAction;
}

/** `$top` of the isolation look-up: the latest succeeded actions of the device. */
const ISOLATION_LOOKUP_TOP = 100;

const completedAt = (a: MachineAction) =>
  Date.parse(a.lastUpdateDateTimeUtc ?? "") || Date.parse(a.creationDateTimeUtc) || 0;

/** The device's isolation, from its latest succeeded Isolate or Unisolate action (one list query). */
export async function isolationOf(client: DefenderClient, machineId: string): Promise<IsolationFact> {
  const filter =
    `machineId eq ${odataString(machineId)} and status eq 'Succeeded'` +
    ` and (type eq ${odataString(ISOLATE)} or type eq ${odataString(UNISOLATE)})`;
  const actions = await client.listMachineActions(filter, { top: ISOLATION_LOOKUP_TOP });
  const latest = actions
    .filter((a) => a.status === "Succeeded" && (a.type === ISOLATE || a.type === UNISOLATE))
    .sort(
      (a, b) =>
        completedAt(b) - completedAt(a) ||
        (Date.parse(b.creationDateTimeUtc) || 0) - (Date.parse(a.creationDateTimeUtc) || 0),
    )[0];
  return latest ? { isolated: latest.type === ISOLATE, decidedBy: latest } : { isolated: false };
}

/**
 * Waits until no action of `type` is pending on the device (the other half of an isolate/release pair
 * must not be sent before it ends).
 * @throws DefenderError `MDE_ACTIVE_REQUEST_EXISTS` when one is still pending after `timeoutInMinutes`:
 *   nothing is posted then.
 */
export async function waitUntilSettled(
  client: DefenderClient,
  type: typeof ISOLATE | typeof UNISOLATE,
  machineId: string,
  options: { timeoutInMinutes: number; timeScale: number; before: string },
): Promise<void> {
  const pending = await client.findRunningAction(type, machineId);
  if (!pending) return;
  const waited = await waitForFinal(client.statusReader, pending, options);
  if (waited.timedOut) {
    const what = type === ISOLATE ? "an isolation" : "a release from isolation";
    throw new DefenderError(
      "MDE_ACTIVE_REQUEST_EXISTS",
      `Device ${machineId} still has ${what} pending (action ${pending.id}, ${waited.action.status}) after ${options.timeoutInMinutes} minutes, and ${options.before} must not be sent before it ends (sent together they can complete out of order). Nothing was posted: run \`pulumi up\` again once it has ended, or cancel it in Defender's action center.`,
      { operation: type === ISOLATE ? "isolate" : "unisolate", action: waited.action },
    );
  }
}
