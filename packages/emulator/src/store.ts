/**
 * Machine actions and their lifecycle. Nothing runs on timers: an action's status is computed
 * from its timestamps whenever it is read, so a scaled clock or `advanceTime` moves every
 * action at once and a closed emulator leaves nothing behind.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "./clock";
import { effectiveBehavior } from "./fleet";
import { commandsToApi } from "./liveResponseCommands";
import type { Device, IsolationType, LifecycleOptions } from "./types";

/** Status values of a MachineAction. */
export type ActionStatus = "Pending" | "InProgress" | "Succeeded" | "Failed" | "TimeOut" | "Cancelled";

/** Statuses after which nothing changes. */
export const FINAL_STATUSES: readonly ActionStatus[] = ["Succeeded", "Failed", "TimeOut", "Cancelled"];

/** Lifecycle defaults, in emulated seconds. */
export const DEFAULT_LIFECYCLE: Required<LifecycleOptions> = {
  pendingSeconds: 60,
  inProgressSeconds: 300,
  offlineTimeoutSeconds: 86_400,
  liveResponseCommandSeconds: 30,
  liveResponseQueueSeconds: 259_200,
};

/** Machine action types the emulator runs. */
export type ActionType = "CollectInvestigationPackage" | "Isolate" | "Unisolate" | "LiveResponse";

/** One live response command as planned when the session was created. */
export interface CommandEntry {
  index: number;
  /** The command as posted (`type`, `params`), echoed in `commands[].command`. */
  command: { type: string; params: { key: string; value: string }[] };
  /** Real-ms start and end; `undefined` for a command that never runs. */
  startsMs: number | undefined;
  endsMs: number | undefined;
  outcome: "Completed" | "Failed";
  /** Error messages of a failed command. */
  errors: string[];
  /** The collected bytes of a completed GetFile. */
  result?: Buffer;
}

/** What the store keeps about an action. */
export interface ActionEntry {
  id: string;
  type: ActionType;
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
  /** Isolate only: the type asked for. */
  isolationType?: IsolationType;
  /** Isolate only (fault `completeAfterRelease`): completes after the next release of the device. */
  completeAfterRelease?: boolean;
  /** LiveResponse only. */
  commands?: CommandEntry[];
}

/** What a new action is and how it runs on an online device. */
export interface ActionRequest {
  type: ActionType;
  requestor: string;
  tenantId: string;
  comment: string;
  /** Emulated seconds it runs once picked up. @default the lifecycle's `inProgressSeconds` */
  runSeconds?: number;
  /** Real epoch ms before which it cannot start (a queued live response session). */
  notBeforeMs?: number;
  /** Outcome on an online device. @default "Succeeded" */
  outcome?: "Succeeded" | "Failed";
  /** Emulated seconds an offline device keeps it Pending before TimeOut. @default the lifecycle's `offlineTimeoutSeconds` */
  offlineTimeoutSeconds?: number;
  /** Type-specific fields (isolationType, commands). */
  extra?: Pick<ActionEntry, "isolationType" | "completeAfterRelease" | "commands">;
}

/** Status of an action at a moment, and when it last changed. */
export interface ActionState {
  status: ActionStatus;
  lastUpdateMs: number;
}

/** Keeps machine actions. */
export class ActionStore {
  private readonly actions = new Map<string, ActionEntry>();
  /** Lifecycle durations with defaults resolved, in emulated seconds. */
  readonly lifecycle: Required<LifecycleOptions>;

  constructor(
    private readonly clock: Clock,
    lifecycle: LifecycleOptions = {},
  ) {
    this.lifecycle = { ...DEFAULT_LIFECYCLE, ...lifecycle };
  }

  /** Starts an action on `device`, scheduling its whole lifecycle from now. */
  create(device: Device, request: ActionRequest): ActionEntry {
    const behavior = effectiveBehavior(device);
    const createdMs = this.clock.nowMs();
    const startsMs = Math.max(
      createdMs + this.clock.realMs(this.lifecycle.pendingSeconds),
      request.notBeforeMs ?? 0,
    );
    const runMs = this.clock.realMs(request.runSeconds ?? this.lifecycle.inProgressSeconds);
    const offlineSeconds = request.offlineTimeoutSeconds ?? this.lifecycle.offlineTimeoutSeconds;
    const entry: ActionEntry = {
      id: randomUUID(),
      type: request.type,
      machineId: device.id,
      computerDnsName: device.computerDnsName,
      osPlatform: device.osPlatform,
      requestor: request.requestor,
      tenantId: request.tenantId,
      comment: request.comment,
      createdMs,
      ...(behavior.offline
        ? {
            startsMs: undefined,
            endsMs: createdMs + this.clock.realMs(offlineSeconds),
            finalStatus: "TimeOut" as const,
          }
        : { startsMs, endsMs: startsMs + runMs, finalStatus: request.outcome ?? "Succeeded" }),
      ...request.extra,
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

  /** The action of `type` still pending or running on a device, if any. */
  activeOn(machineId: string, type: ActionType): ActionEntry | undefined {
    return this.list().find((a) => a.machineId === machineId && a.type === type && !this.isFinal(a));
  }

  /** Whether nothing will change any more. */
  isFinal(entry: ActionEntry): boolean {
    return FINAL_STATUSES.includes(this.state(entry).status);
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

  /** The moment an action's commands are evaluated at: now, or its cancellation. */
  private frozenAt(entry: ActionEntry): number {
    const now = this.clock.nowMs();
    return entry.cancellation && entry.cancellation.atMs < now ? entry.cancellation.atMs : now;
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
      type: entry.type,
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
      commands: entry.commands ? commandsToApi(entry.commands, this.frozenAt(entry)) : [],
      troubleshootInfo: state.status === "Failed" ? failureInfo(entry) : null,
    };
  }
}

function failureInfo(entry: ActionEntry): string {
  if (entry.type === "CollectInvestigationPackage") return "Collection failed on the device";
  if (entry.type === "LiveResponse") return "A live response command failed; later commands did not run";
  return `${entry.type} failed on the device`;
}

function naturalState(entry: ActionEntry, now: number): ActionState {
  if (now >= entry.endsMs) return { status: entry.finalStatus, lastUpdateMs: entry.endsMs };
  if (entry.startsMs !== undefined && now >= entry.startsMs) {
    return { status: "InProgress", lastUpdateMs: entry.startsMs };
  }
  return { status: "Pending", lastUpdateMs: entry.createdMs };
}
