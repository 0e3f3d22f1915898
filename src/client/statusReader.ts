/**
 * One status reader per client, shared by every resource of the provider process: reads of machine
 * actions (waits, refreshes, re-checks) are coalesced into list queries, so hundreds of collections are
 * followed in a handful of calls instead of one GET each inside the same 100/min, 1500/h budget.
 *
 * Reads that arrive together are gathered for a moment, then answered by one query: a single GET when
 * one read is pending; an `id eq '…' or …` filter for a few; for many, every action created since the
 * earliest of them (one page of up to 10000), then id filters for whatever that did not cover. Every
 * answer is remembered: a final status forever (it cannot change), a running one for a few seconds.
 * If the service rejects the filter (400), the reader falls back to single GETs for the rest of the process.
 */
import { isDefenderError } from "../core/errors";
import { odataDate, odataString } from "./odata";
import { isFinalStatus, type MachineAction } from "./wireTypes";

/** How long an answer about a running action serves later reads, in (unscaled) milliseconds. */
export const FRESH_FOR_MS = 5_000;
/** How long reads are gathered before a query, in real milliseconds. */
export const GATHER_MS = 25;
/**
 * Most ids in one `id eq` or-chain: each id costs about three filter nodes, and ASP.NET OData services
 * refuse filters of more than 100 nodes by default (Defender documents no limit of its own).
 */
export const MAX_IDS_PER_FILTER = 15;
/** How far before the earliest creation time a window query starts, in milliseconds (clock skew). */
export const WINDOW_MARGIN_MS = 10 * 60_000;
/** Oldest creation time a window query reaches back to, in milliseconds: older actions are read by id. */
export const WINDOW_MAX_AGE_MS = 7 * 24 * 3_600_000;
/** Largest page the API serves. */
export const PAGE_SIZE = 10_000;

/** What the reader needs of the client. */
export interface ActionSource {
  getMachineAction(id: string, options?: { signal?: AbortSignal }): Promise<MachineAction | null>;
  listMachineActions(filter: string, options: { top: number; skip?: number }): Promise<MachineAction[]>;
}

/** What a caller knows of an action, to find it with fewer calls. */
export interface ReadHint {
  /** `creationDateTimeUtc` as stored. */
  createdAt?: string | undefined;
  /** Action type, e.g. `CollectInvestigationPackage`. */
  type?: string | undefined;
}

/** Options of {@link StatusReader}. */
export interface StatusReaderOptions {
  /** Divides {@link FRESH_FOR_MS} (emulator exercises). @default 1 */
  timeScale?: number;
  /** Receives one line when the reader falls back to single GETs. */
  log?: (line: string) => void;
  /** Clock, epoch milliseconds. @default Date.now */
  now?: () => number;
}

interface Pending {
  hint: ReadHint;
  waiters: Array<{ resolve: (a: MachineAction | null) => void; reject: (e: unknown) => void }>;
}

/** Coalesces machine-action reads. */
export class StatusReader {
  private readonly cache = new Map<string, { action: MachineAction | null; atMs: number }>();
  private pending = new Map<string, Pending>();
  /** Ids of the query in flight, with its answer: a read of one of them joins it. */
  private inflight = new Map<string, Promise<MachineAction | null>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private singleOnly = false;
  private readonly freshForMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: ActionSource,
    private readonly options: StatusReaderOptions = {},
  ) {
    this.freshForMs = FRESH_FOR_MS / (options.timeScale ?? 1);
    this.now = options.now ?? Date.now;
  }

  /**
   * The action, or null when it does not exist. Served from a recent answer when there is one.
   * @param maxAgeMs - Oldest answer about a running action accepted. @default FRESH_FOR_MS / timeScale
   */
  read(anyCaseId: string, hint: ReadHint = {}, maxAgeMs = this.freshForMs): Promise<MachineAction | null> {
    const id = anyCaseId.toLowerCase();
    const known = this.cache.get(id);
    if (
      known &&
      ((known.action && isFinalStatus(known.action.status)) || this.now() - known.atMs <= maxAgeMs)
    ) {
      return Promise.resolve(known.action);
    }
    const joining = this.inflight.get(id);
    if (joining) return joining;
    return new Promise((resolve, reject) => {
      const entry = this.pending.get(id) ?? { hint, waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(id, entry);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.flushing || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, GATHER_MS);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const batch = this.pending;
    this.pending = new Map();
    for (const [id, entry] of batch) {
      const answer = new Promise<MachineAction | null>((resolve, reject) => {
        entry.waiters.push({ resolve, reject });
      });
      // Only reads that join it observe a failure; nobody joining is not an unhandled rejection.
      answer.catch(() => undefined);
      this.inflight.set(id, answer);
    }
    try {
      const found = await this.query(batch);
      const atMs = this.now();
      for (const [id, entry] of batch) {
        const answer = found.get(id) ?? null;
        if (answer instanceof Error) {
          for (const w of entry.waiters) w.reject(answer);
          continue;
        }
        this.cache.set(id, { action: answer, atMs });
        for (const w of entry.waiters) w.resolve(answer);
      }
    } catch (error) {
      for (const entry of batch.values()) for (const w of entry.waiters) w.reject(error);
    } finally {
      this.inflight.clear();
      this.flushing = false;
      this.schedule();
    }
  }

  /** Answers a batch: every id gets its action, or none when it does not exist. */
  private async query(batch: Map<string, Pending>): Promise<Map<string, MachineAction | Error>> {
    const ids = [...batch.keys()];
    if (this.singleOnly || ids.length === 1) return this.singles(ids);
    try {
      const found = new Map<string, MachineAction | Error>();
      let rest = ids;
      // With creation times known, one window query answers this batch and, remembered, the reads that
      // follow: a refresh at the engine's default parallelism (8 reads at a time) costs a call or two.
      if (ids.length > 1) {
        await this.window(batch, found);
        rest = ids.filter((id) => !found.has(id));
      }
      for (let i = 0; i < rest.length; i += MAX_IDS_PER_FILTER) {
        const chunk = rest.slice(i, i + MAX_IDS_PER_FILTER);
        const filter = chunk.map((id) => `id eq ${odataString(id)}`).join(" or ");
        this.remember(await this.source.listMachineActions(filter, { top: chunk.length }), found);
      }
      return found;
    } catch (error) {
      if (!isDefenderError(error, "MDE_BAD_REQUEST")) throw error;
      // The service refused the filter: single GETs from now on, said once.
      this.singleOnly = true;
      this.options.log?.(
        `status reads: the service rejected a list filter (${error.apiCode ?? "400"}); reading actions one by one from now on`,
      );
      return this.singles(ids);
    }
  }

  /** Every action created since the earliest hinted creation time (paged), remembered for later reads. */
  private async window(
    batch: Map<string, Pending>,
    found: Map<string, MachineAction | Error>,
  ): Promise<void> {
    const oldest = this.now() - WINDOW_MAX_AGE_MS;
    const created = [...batch.values()]
      .map((p) => Date.parse(p.hint.createdAt ?? ""))
      .filter((ms) => !Number.isNaN(ms) && ms >= oldest);
    // Too few recent creation times to be worth a window: the id filters answer them.
    if (created.length < 2) return;
    const types = new Set([...batch.values()].map((p) => p.hint.type));
    const since = odataDate(Math.min(...created) - WINDOW_MARGIN_MS);
    const type =
      types.size === 1 && [...types][0] ? ` and type eq ${odataString([...types][0] as string)}` : "";
    const filter = `creationDateTimeUtc ge ${since}${type}`;
    for (let skip = 0; ; skip += PAGE_SIZE) {
      const page = await this.source.listMachineActions(filter, {
        top: PAGE_SIZE,
        ...(skip ? { skip } : {}),
      });
      this.remember(page, found);
      if (page.length < PAGE_SIZE || [...batch.keys()].every((id) => found.has(id))) return;
    }
  }

  private remember(actions: MachineAction[], found: Map<string, MachineAction | Error>): void {
    const atMs = this.now();
    for (const action of actions) {
      const id = action.id.toLowerCase();
      found.set(id, action);
      // Actions nobody asked for yet are kept too: the next reads of a refresh find them here.
      this.cache.set(id, { action, atMs });
    }
  }

  /** One GET per id; a failure is that id's answer alone (a 404 is "none"). */
  private async singles(ids: string[]): Promise<Map<string, MachineAction | Error>> {
    const found = new Map<string, MachineAction | Error>();
    await Promise.all(
      ids.map(async (id) => {
        try {
          const action = await this.source.getMachineAction(id);
          if (action) found.set(id, action);
        } catch (error) {
          found.set(id, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
    return found;
  }
}
