/**
 * The record of every call: what route, which app, which answer, when, and how many calls of
 * the same route were in flight. Tests read it to assert concurrency and retries.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { CallFilter } from "./tenantTypes";
import type { CallRecord, Counters } from "./types";

type RecordedRoute = CallRecord["route"];

/** A call being handled; finish it exactly once. */
export interface CallInProgress {
  /** Fills in who called, once known. */
  identify(clientId: string | undefined, tenantId: string | undefined): void;
  /** Records how many body bytes were sent. */
  bodySent(bytes: number): void;
  /** Completes the record. */
  finish(status: number, errorCode?: string): CallRecord;
}

/** Query parameters that are safe to keep in recorded paths; every other value is redacted. */
const SAFE_QUERY_PARAMETERS = new Set([
  "$filter",
  "$top",
  "$skip",
  "$orderby",
  "$select",
  "api-version",
  "resource",
]);

/** Removes secrets (link signatures, anything unknown) from a request path. */
export function redactPath(rawUrl: string): string {
  const url = new URL(rawUrl, "https://emulator.invalid");
  const parts: string[] = [];
  for (const [name, value] of url.searchParams) {
    parts.push(`${name}=${SAFE_QUERY_PARAMETERS.has(name) ? value : "REDACTED"}`);
  }
  return parts.length ? `${url.pathname}?${parts.join("&")}` : url.pathname;
}

/** Keeps call records and in-flight counts. */
export class CallRecorder {
  private records: CallRecord[] = [];
  private readonly inFlight = new Map<RecordedRoute, number>();

  /** Starts recording a call. */
  begin(
    route: RecordedRoute,
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders = {},
  ): CallInProgress {
    const concurrent = (this.inFlight.get(route) ?? 0) + 1;
    this.inFlight.set(route, concurrent);
    const startMs = Date.now();
    let clientId: string | undefined;
    let tenantId: string | undefined;
    let done = false;
    let bodyBytes: number | undefined;
    const path = redactPath(rawUrl);
    // Only the presence of Authorization is kept: tests assert no bearer token goes to the link host.
    const authorizationHeader = headers.authorization !== undefined;
    const range = typeof headers.range === "string" ? headers.range : undefined;
    return {
      identify: (c, t) => {
        clientId = c;
        tenantId = t;
      },
      bodySent: (bytes) => {
        bodyBytes = bytes;
      },
      finish: (status, errorCode) => {
        const record: CallRecord = {
          route,
          method,
          path,
          status,
          startMs,
          endMs: Date.now(),
          concurrent,
          authorizationHeader,
          ...(range === undefined ? {} : { range }),
          ...(bodyBytes === undefined ? {} : { bodyBytes }),
          ...(clientId === undefined ? {} : { clientId }),
          ...(tenantId === undefined ? {} : { tenantId }),
          ...(errorCode === undefined ? {} : { errorCode }),
        };
        if (!done) {
          done = true;
          this.inFlight.set(route, (this.inFlight.get(route) ?? 1) - 1);
          this.records.push(record);
        }
        return record;
      },
    };
  }

  /** Completed calls, oldest first. */
  list(filter?: CallFilter): CallRecord[] {
    return this.records.filter(
      (r) =>
        (filter?.route === undefined || r.route === filter.route) &&
        (filter?.clientId === undefined || r.clientId === filter.clientId.toLowerCase()) &&
        (filter?.tenantId === undefined || r.tenantId === filter.tenantId.toLowerCase()),
    );
  }

  /** Per-route totals by status. */
  counters(): Counters {
    const counters: Counters = {};
    for (const r of this.records) {
      const entry = counters[r.route] ?? { total: 0, byStatus: {} };
      entry.total++;
      entry.byStatus[String(r.status)] = (entry.byStatus[String(r.status)] ?? 0) + 1;
      counters[r.route] = entry;
    }
    return counters;
  }

  /** Forgets completed calls (calls in flight still finish into the new record). */
  reset(): void {
    this.records = [];
  }
}
