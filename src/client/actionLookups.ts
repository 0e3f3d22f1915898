/**
 * The look-ups of the at-most-once poster: the device's running action of a type (a conflict), the action a
 * lost response created (a doubtful outcome), and the conflict error itself. Every one is a list query on
 * the device's actions of the posting row's type.
 */
import { DefenderError, isDefenderError, toDefenderError } from "../core/errors";
import { StopRetrying } from "../retry/retryLoop";
import type { ActionOperation, PostActionOptions, PostActionResult, PostContext } from "./actionPoster";
import { odataDate, odataString } from "./odata";
import type { MachineAction } from "./wireTypes";

/** `$top` of the look-ups that find an action after a doubtful outcome or a conflict. */
export const LOOKUP_TOP = 100;

function newestFirst(a: MachineAction, b: MachineAction): number {
  return (Date.parse(b.creationDateTimeUtc) || 0) - (Date.parse(a.creationDateTimeUtc) || 0);
}

/**
 * The newest Pending or InProgress action of `type` on a device, if any: one read for both statuses (it
 * runs before every isolate and release, inside the actions budget).
 */
export async function findRunningAction(
  ctx: Pick<PostContext, "listMachineActions">,
  type: string,
  machineId: string,
  signal?: AbortSignal,
): Promise<MachineAction | undefined> {
  const filter =
    `machineId eq ${odataString(machineId)} and type eq ${odataString(type)}` +
    ` and (status eq 'Pending' or status eq 'InProgress')`;
  const found = await ctx.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
  const running = found.filter((a) => a.status === "Pending" || a.status === "InProgress");
  // A running action that has started is the one in the way; among equals, the newest.
  return running.sort(
    (a, b) => Number(b.status === "InProgress") - Number(a.status === "InProgress") || newestFirst(a, b),
  )[0];
}

/**
 * The newest action of the row's type on the device since `sinceMs` that `isOurs`;
 * `MDE_OUTCOME_UNKNOWN` if the look-up fails.
 */
export async function verifyPosted(
  ctx: PostContext,
  operation: ActionOperation,
  machineId: string,
  sinceMs: number,
  isOurs: (action: MachineAction) => boolean,
  cause: DefenderError,
  signal: AbortSignal | undefined,
): Promise<MachineAction | undefined> {
  const filter =
    `machineId eq ${odataString(machineId)} and type eq ${odataString(operation.action.type)}` +
    ` and creationDateTimeUtc ge ${odataDate(sinceMs)}`;
  try {
    const found = await ctx.listMachineActions(filter, { top: LOOKUP_TOP, ...(signal ? { signal } : {}) });
    return found.filter(isOurs).sort(newestFirst)[0];
  } catch (error) {
    if (isDefenderError(error, "MDE_ABORTED")) throw error;
    const noun = operation.action.noun;
    throw new DefenderError(
      "MDE_OUTCOME_UNKNOWN",
      `The ${operation.name} request for device '${machineId}' may have started a ${noun} (${cause.code}), and looking it ` +
        `up failed (${toDefenderError(error).code}). Run \`pulumi up\` again: before posting, it looks for this ` +
        `${noun} by the marker in its comment and takes it over, so nothing is started twice.`,
      { operation: operation.name, cause: error },
    );
  }
}

/** The running action as the result (with `adoptRunning`), or the conflict error ending the retries. */
export function conflict(
  operation: ActionOperation,
  machineId: string,
  running: MachineAction | undefined,
  options: PostActionOptions,
  original?: DefenderError,
): PostActionResult {
  if (running && options.adoptRunning) return { action: running, adopted: true };
  const noun = operation.action.noun;
  const about = running
    ? ` The running ${noun} is action ${running.id} (${running.status}, requested by ${running.requestor ?? "unknown"}` +
      `${running.requestorComment ? ` with comment ${JSON.stringify(running.requestorComment)}` : ""}).`
    : " It could not be looked up.";
  throw new StopRetrying(
    new DefenderError(
      "MDE_ACTIVE_REQUEST_EXISTS",
      `A ${noun} is already running on device '${machineId}'.${about} Wait for it to finish, adopt it, or ` +
        `cancel it before starting another.`,
      {
        operation: operation.name,
        ...(original?.status !== undefined ? { status: original.status } : { status: 201 }),
        ...(original?.apiCode ? { apiCode: original.apiCode } : {}),
        ...(original?.correlationId ? { correlationId: original.correlationId } : {}),
        ...(running ? { action: running } : {}),
        delivery: "answered",
      },
    ),
  );
}
