/**
 * Finds a machine action that an earlier, interrupted run already posted, by its type and the exact Comment
 * it was sent with (which carries the resource's marker). One query per action type and provider process
 * serves every create: all actions of that type created in the look-back window before the first look-up
 * (paged), plus what this process posts itself, so a sweep of hundreds of devices costs one read, not one
 * per device.
 */
import { odataDate, odataString } from "./odata";
import type { MachineAction } from "./wireTypes";

/** How far back an earlier attempt is looked for, in milliseconds. @default 7 days */
export const DEFAULT_LOOKBACK_MS = 7 * 24 * 3_600_000;
/** Page size of the window query (the API's largest). */
export const WINDOW_PAGE_SIZE = 10_000;
/** Most pages read; a tenant with more collections in the window is searched per device instead. */
export const MAX_WINDOW_PAGES = 5;

/** What the index needs of the client. */
export interface AttemptSource {
  listMachineActions(filter: string, options: { top: number; skip?: number }): Promise<MachineAction[]>;
}

/** Options of {@link EarlierAttempts}. */
export interface EarlierAttemptsOptions {
  /** Look-back window in milliseconds. @default DEFAULT_LOOKBACK_MS */
  lookbackMs?: number;
  /** Clock, epoch milliseconds. @default Date.now */
  now?: () => number;
}

const key = (type: string, machineId: string, comment: string) =>
  `${type}\n${machineId.toLowerCase()}\n${comment}`;

/** The process-wide index of actions by type, device and exact comment. */
export class EarlierAttempts {
  private readonly indexes = new Map<string, Promise<Map<string, MachineAction[]> | undefined>>();
  private readonly own = new Map<string, MachineAction[]>();
  private readonly lookbackMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: AttemptSource,
    options: EarlierAttemptsOptions = {},
  ) {
    this.lookbackMs = options.lookbackMs ?? DEFAULT_LOOKBACK_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * The newest action of `type` on `machineId` sent with exactly `comment`, if any.
   * @throws the read's DefenderError when the actions cannot be listed (then nothing may be posted).
   */
  async find(type: string, machineId: string, comment: string): Promise<MachineAction | undefined> {
    return (await this.lookUp(type, machineId, comment))?.action;
  }

  /**
   * Like {@link find}, saying also whether this process posted (or already found) the action: `own` is
   * false for an action some earlier deployment posted, which a create then takes over.
   */
  async lookUp(
    type: string,
    machineId: string,
    comment: string,
  ): Promise<{ action: MachineAction; own: boolean } | undefined> {
    const k = key(type, machineId, comment);
    const mine = this.own.get(k);
    if (mine?.length) {
      const action = newest(mine);
      return action ? { action, own: true } : undefined;
    }
    const found = await this.findInWindow(type, machineId, comment, k);
    return found ? { action: found, own: false } : undefined;
  }

  private async findInWindow(
    type: string,
    machineId: string,
    comment: string,
    k: string,
  ): Promise<MachineAction | undefined> {
    let loading = this.indexes.get(type);
    if (!loading) {
      loading = this.load(type).catch((error: unknown) => {
        this.indexes.delete(type); // a failed load is tried again by the next create
        throw error;
      });
      this.indexes.set(type, loading);
    }
    const index = await loading;
    if (index) return newest(index.get(k) ?? []);
    // Too many actions in the window to list them all: ask about this device alone.
    const filter =
      `machineId eq ${odataString(machineId)} and type eq ${odataString(type)}` +
      ` and creationDateTimeUtc ge ${odataDate(this.now() - this.lookbackMs)}`;
    const found = await this.source.listMachineActions(filter, { top: WINDOW_PAGE_SIZE });
    return newest(found.filter((a) => a.requestorComment === comment));
  }

  /** Records an action this process posted or found. */
  remember(action: MachineAction): void {
    if (typeof action.requestorComment !== "string") return;
    const k = key(action.type, action.machineId, action.requestorComment);
    this.own.set(k, [...(this.own.get(k) ?? []), action]);
  }

  private async load(type: string): Promise<Map<string, MachineAction[]> | undefined> {
    const filter =
      `type eq ${odataString(type)}` +
      ` and creationDateTimeUtc ge ${odataDate(this.now() - this.lookbackMs)}`;
    const index = new Map<string, MachineAction[]>();
    for (let page = 0; page < MAX_WINDOW_PAGES; page++) {
      const actions = await this.source.listMachineActions(filter, {
        top: WINDOW_PAGE_SIZE,
        ...(page > 0 ? { skip: page * WINDOW_PAGE_SIZE } : {}),
      });
      for (const action of actions) {
        if (typeof action.requestorComment !== "string") continue;
        const k = key(action.type, action.machineId, action.requestorComment);
        index.set(k, [...(index.get(k) ?? []), action]);
      }
      if (actions.length < WINDOW_PAGE_SIZE) return index;
    }
    return undefined;
  }
}

function newest(actions: MachineAction[]): MachineAction | undefined {
  return [...actions].sort(
    (a, b) => (Date.parse(b.creationDateTimeUtc) || 0) - (Date.parse(a.creationDateTimeUtc) || 0),
  )[0];
}
