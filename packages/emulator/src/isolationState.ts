/**
 * Isolation state of a device as the service derives it: the latest Succeeded Isolate or
 * Unisolate action by completion time. The Machine entity carries no isolation field, so this is
 * all a client (or a test) can go by.
 */
import type { ActionStore } from "./store";
import type { IsolationState } from "./types";

/** The isolation state of `machineId` now. */
export function isolationState(store: ActionStore, machineId: string): IsolationState {
  let latest:
    | { id: string; isolated: boolean; atMs: number; type?: IsolationState["isolationType"] }
    | undefined;
  for (const entry of store.list()) {
    if (entry.machineId !== machineId || (entry.type !== "Isolate" && entry.type !== "Unisolate")) continue;
    const state = store.state(entry);
    if (state.status !== "Succeeded") continue;
    // Ties (same completion instant) go to the action created later.
    if (!latest || state.lastUpdateMs >= latest.atMs) {
      latest = {
        id: entry.id,
        isolated: entry.type === "Isolate",
        atMs: state.lastUpdateMs,
        ...(entry.isolationType ? { type: entry.isolationType } : {}),
      };
    }
  }
  if (!latest) return { isolated: false };
  return {
    isolated: latest.isolated,
    ...(latest.isolated && latest.type ? { isolationType: latest.type } : {}),
    actionId: latest.id,
    sinceUtc: new Date(latest.atMs).toISOString(),
  };
}
