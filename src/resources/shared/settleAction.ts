/**
 * The end of a create or update that waits: follow the posted action on the shared status reader until it
 * is final, and fail the operation, keeping the resource in state with its action ID, when it did not
 * succeed, did not finish in time, or could not be followed. Every action resource ends this way.
 */
import { getDefenderClient } from "../../client/sharedClients";
import type { MachineAction } from "../../client/wireTypes";
import { isDefenderError } from "../../core/errors";
import { isTransientCode } from "../../core/transientError";
import type { Settings } from "../../settings/resolveSettings";
import type { ResourceIncompleteError } from "./incompleteError";
import { surfaceError } from "./surfaceError";
import { waitForFinal } from "./waitForFinal";

/** What {@link settleAction} needs of the resource. */
export interface SettleOptions {
  /** Whether to wait at all. */
  wait: boolean;
  /** How long to wait, in minutes, and the input that says so. */
  timeoutInMinutes: number;
  timeoutInput: string;
  /** What the action is, capitalised, e.g. `Collection`. */
  noun: string;
  /** The device, for messages. */
  machineId: string;
  /** The outputs for an action. */
  outputs(action: MachineAction): Record<string, unknown>;
  /** Why an action did not succeed, e.g. `statusHint`. */
  hint(action: MachineAction): string;
  /** What to do about an action that ended badly, e.g. "to collect again, change `triggers`". */
  whatNext: string;
  /** The partial-failure error of the resource (its stable code). */
  incomplete(
    message: string,
    id: string,
    outs: Record<string, unknown>,
    props: Record<string, unknown>,
  ): ResourceIncompleteError;
}

/** Waits (when asked) and returns the resource's ID and outputs, or throws its partial-failure error. */
export async function settleAction(
  settings: Settings,
  posted: MachineAction,
  props: Record<string, unknown>,
  options: SettleOptions,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  let action = posted;
  if (options.wait && action.status !== "Succeeded") {
    let waited: Awaited<ReturnType<typeof waitForFinal>>;
    try {
      waited = await waitForFinal(getDefenderClient(settings).statusReader, action, {
        timeoutInMinutes: options.timeoutInMinutes,
        timeScale: settings.timeScale,
      });
    } catch (error) {
      // The action exists: whatever broke the wait (reads out of retries, a token failure, a 403), the
      // engine must record it, or the next run would post a second time.
      // Running `up` again only helps when the service or the network failed; anything else (sign-in,
      // permissions, settings) must be fixed first.
      const code = isDefenderError(error) ? error.code : undefined;
      const next =
        code !== undefined && isTransientCode(code)
          ? "run `pulumi up` again to go on waiting, or `pulumi refresh` to see its status"
          : "fix the cause above, then run `pulumi up` to go on waiting (nothing is posted again)";
      throw options.incomplete(
        `${options.noun} ${action.id} on device ${options.machineId} was started, but following it failed: ${surfaceError(error).message} It is kept in state with its action ID: ${next}.`,
        action.id,
        options.outputs(action),
        props,
      );
    }
    action = waited.action;
    const outs = options.outputs(action);
    if (waited.timedOut) {
      throw options.incomplete(
        `${options.noun} ${action.id} on device ${options.machineId} is still ${action.status} after ${options.timeoutInMinutes} minutes (${options.timeoutInput}). It is kept in state and keeps running in Defender: run \`pulumi refresh\` later to see its status, or raise ${options.timeoutInput}.`,
        action.id,
        outs,
        props,
      );
    }
    if (action.status !== "Succeeded") {
      throw options.incomplete(
        `${options.noun} ${action.id} on device ${options.machineId} ended ${action.status}: ${options.hint(action)}. It is kept in state with its action ID; ${options.whatNext}`,
        action.id,
        outs,
        props,
      );
    }
  }
  return { id: action.id, outs: options.outputs(action) };
}
