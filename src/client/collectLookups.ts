/**
 * The look-ups of the collect-once policy: the device's running collection (a conflict), the action a
 * lost response created (a doubtful outcome), and the conflict error itself.
 */
import { DefenderError, isDefenderError, toDefenderError } from "../core/errors";
import { StopRetrying } from "../retry/retryLoop";
import type { CollectContext, CollectOptions, CollectResult } from "./collectOnce";
import { odataDate, odataString } from "./odata";
import { COLLECT_INVESTIGATION_PACKAGE, type MachineAction } from "./wireTypes";

/** `$top` of the look-ups that find a collection after a doubtful outcome or a conflict. */
export const LOOKUP_TOP = 100;

function newestFirst(a: MachineAction, b: MachineAction): number {
  return (Date.parse(b.creationDateTimeUtc) || 0) - (Date.parse(a.creationDateTimeUtc) || 0);
}

/** The newest Pending or InProgress collection on a device, if any. */
export async function findRunningCollection(
  ctx: Pick<CollectContext, "listMachineActions">,
  machineId: string,
  signal?: AbortSignal,
): Promise<MachineAction | undefined> {
  for (const status of ["Pending", "InProgress"]) {
    const filter =
      `machineId eq ${odataString(machineId)} and type eq ${odataString(COLLECT_INVESTIGATION_PACKAGE)}` +
      ` and status eq ${odataString(status)}`;
    const found = await ctx.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
    const newest = found.filter((a) => a.status === status).sort(newestFirst)[0];
    if (newest) return newest;
  }
  return undefined;
}

/** The newest collection on the device since `sinceMs` that `isOurs`; `MDE_OUTCOME_UNKNOWN` if the look-up fails. */
export async function verifyCollection(
  ctx: CollectContext,
  machineId: string,
  sinceMs: number,
  isOurs: (action: MachineAction) => boolean,
  cause: DefenderError,
  signal: AbortSignal | undefined,
): Promise<MachineAction | undefined> {
  const filter =
    `machineId eq ${odataString(machineId)} and type eq ${odataString(COLLECT_INVESTIGATION_PACKAGE)}` +
    ` and creationDateTimeUtc ge ${odataDate(sinceMs)}`;
  try {
    const found = await ctx.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
    return found.filter(isOurs).sort(newestFirst)[0];
  } catch (error) {
    if (isDefenderError(error, "MDE_ABORTED")) throw error;
    throw new DefenderError(
      "MDE_OUTCOME_UNKNOWN",
      `The collect request for device '${machineId}' may have started a collection (${cause.code}), and looking it ` +
        `up failed (${toDefenderError(error).code}). Run \`pulumi up\` again: before posting, it looks for this ` +
        "collection by the marker in its comment and takes it over, so no second collection is started.",
      { operation: "collect", cause: error },
    );
  }
}

/** The running collection as the result (with `adoptRunning`), or the conflict error ending the retries. */
export function conflict(
  machineId: string,
  running: MachineAction | undefined,
  options: CollectOptions,
  original?: DefenderError,
): CollectResult {
  if (running && options.adoptRunning) return { action: running, adopted: true };
  const about = running
    ? ` The running collection is action ${running.id} (${running.status}, requested by ${running.requestor ?? "unknown"}` +
      `${running.requestorComment ? ` with comment ${JSON.stringify(running.requestorComment)}` : ""}).`
    : " It could not be looked up.";
  throw new StopRetrying(
    new DefenderError(
      "MDE_ACTIVE_REQUEST_EXISTS",
      `A collection is already running on device '${machineId}'.${about} Wait for it to finish, adopt it, or ` +
        "cancel it before collecting again.",
      {
        operation: "collect",
        ...(original?.status !== undefined ? { status: original.status } : { status: 201 }),
        ...(original?.apiCode ? { apiCode: original.apiCode } : {}),
        ...(original?.correlationId ? { correlationId: original.correlationId } : {}),
        ...(running ? { action: running } : {}),
        delivery: "answered",
      },
    ),
  );
}
