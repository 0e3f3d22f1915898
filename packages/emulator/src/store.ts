/**
 * Machine actions and their lifecycle. Nothing runs on timers: an action's status is computed
 * from its timestamps whenever it is read, so a scaled clock or `advanceTime` moves every
 * action at once and a closed emulator leaves nothing behind.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "./clock";
import { effectiveBehavior } from "./fleet";
import type { Device, LifecycleOptions } from "./types";

/** Status values of a MachineAction. */
export type ActionStatus = "Pending" | "InProgress" | "Succeeded" | "Failed" | "TimeOut" | "Cancelled";

/** Statuses after which nothing changes. */
export const FINAL_STATUSES: readonly ActionStatus[] = ["Succeeded", "Failed", "TimeOut", "Cancelled"];

/** Lifecycle defaults, in emulated seconds. */
export const DEFAULT_LIFECYCLE: Required<LifecycleOptions> = {
  pendingSeconds: 60,
  inProgressSeconds: 300,
  offlineTimeoutSeconds: 86_400,
};

/** What the store keeps about an action. */
export interface ActionEntry {
  id: string;
  machineId: string;
  computerDnsName: string;
  osPlatform: string;
  requestor: string;
  /** Tenant of the requesting app (recorded only: every tenant sees the one fleet and its actions). */
  tenantId: string;
  comment: string;
  createdMs: number;
  /** Real-ms offsets from creation of each transition; `undefined` when it never happens. */
  startsMs: number | undefined;
  endsMs: number;
  finalStatus: "Succeeded" | "Failed" | "TimeOut";
  cancellation?: { atMs: number; requestor: string; comment: string };
}

/** Status of an action at a moment, and when it last changed. */
export interface ActionState {
  status: ActionStatus;
  lastUpdateMs: number;
}

/** Keeps machine actions. */
export class ActionStore {
  private readonly actions = new Map<string, ActionEntry>();
  private readonly lifecycle: Required<LifecycleOptions>;

  constructor(
    private readonly clock: Clock,
    lifecycle: LifecycleOptions = {},
  ) {
    this.lifecycle = { ...DEFAULT_LIFECYCLE, ...lifecycle };
  }

  /** Starts a collection on `device`, scheduling its whole lifecycle from now. */
  create(device: Device, requestor: string, tenantId: string, comment: string): ActionEntry {
    const behavior = effectiveBehavior(device);
    const createdMs = this.clock.nowMs();
    const pendingMs = this.clock.realMs(this.lifecycle.pendingSeconds);
    const entry: ActionEntry = {
      id: randomUUID(),
      machineId: device.id,
      computerDnsName: device.computerDnsName,
      osPlatform: device.osPlatform,
      requestor,
      tenantId,
      comment,
      createdMs,
      ...(behavior.offline
        ? {
            startsMs: undefined,
            endsMs: createdMs + this.clock.realMs(this.lifecycle.offlineTimeoutSeconds),
            finalStatus: "TimeOut" as const,
          }
        : {
            startsMs: createdMs + pendingMs,
            endsMs: createdMs + pendingMs + this.clock.realMs(this.lifecycle.inProgressSeconds),
            finalStatus: behavior.collectionOutcome,
          }),
    };
    this.actions.set(entry.id, entry);
    return entry;
  }

  /** The action with this id (case-insensitive), if any. */
  get(id: string): ActionEntry | undefined {
    return this.actions.get(id.toLowerCase());
  }

  /** Every action, oldest first. */
  list(): ActionEntry[] {
    return [...this.actions.values()];
  }

  /** The action still pending or running on a device, if any. */
  activeOn(machineId: string): ActionEntry | undefined {
    return this.list().find(
      (a) => a.machineId === machineId && !FINAL_STATUSES.includes(this.state(a).status),
    );
  }

  /** Status now. */
  state(entry: ActionEntry): ActionState {
    const now = this.clock.nowMs();
    const natural = naturalState(entry, now);
    const cancel = entry.cancellation;
    if (cancel && cancel.atMs <= now) {
      const before = naturalState(entry, cancel.atMs);
      if (!FINAL_STATUSES.includes(before.status)) return { status: "Cancelled", lastUpdateMs: cancel.atMs };
    }
    return natural;
  }

  /** Cancels an action that is not final; returns false when it already is. */
  cancel(entry: ActionEntry, requestor: string, comment: string): boolean {
    if (FINAL_STATUSES.includes(this.state(entry).status)) return false;
    entry.cancellation = { atMs: this.clock.nowMs(), requestor, comment };
    return true;
  }

  /** Forgets every action. */
  reset(): void {
    this.actions.clear();
  }

  /** The action as the API returns it. */
  toApi(entry: ActionEntry, options: { justCreated?: boolean } = {}): Record<string, unknown> {
    const state = this.state(entry);
    const created = new Date(entry.createdMs).toISOString();
    const cancel = state.status === "Cancelled" ? entry.cancellation : undefined;
    return {
      id: entry.id,
      type: "CollectInvestigationPackage",
      title: null,
      requestor: entry.requestor,
      requestorComment: entry.comment,
      status: state.status,
      machineId: entry.machineId,
      // The real API answers the create call before it has resolved the device name.
      computerDnsName: options.justCreated ? null : entry.computerDnsName,
      creationDateTimeUtc: created,
      lastUpdateDateTimeUtc: new Date(state.lastUpdateMs).toISOString(),
      cancellationRequestor: cancel?.requestor ?? null,
      cancellationComment: cancel?.comment ?? null,
      cancellationDateTimeUtc: cancel ? new Date(cancel.atMs).toISOString() : null,
      errorHResult: state.status === "Failed" ? -2147467259 : 0,
      scope: null,
      externalId: null,
      requestSource: "PublicApi",
      relatedFileInfo: null,
      commands: [],
      troubleshootInfo: state.status === "Failed" ? "Collection failed on the device" : null,
    };
  }
}

function naturalState(entry: ActionEntry, now: number): ActionState {
  if (now >= entry.endsMs) return { status: entry.finalStatus, lastUpdateMs: entry.endsMs };
  if (entry.startsMs !== undefined && now >= entry.startsMs) {
    return { status: "InProgress", lastUpdateMs: entry.startsMs };
  }
  return { status: "Pending", lastUpdateMs: entry.createdMs };
}
