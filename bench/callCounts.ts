/**
 * Counts from the emulator's call record that several scenarios report: machine-action reads (what the
 * status reader coalesces) and 429 answers.
 */
import type { CallRecord } from "pulumi-mde-emulator";

/** Machine-action reads: single GETs and list queries. */
export interface ReadCalls {
  readonly getAction: number;
  readonly listActions: number;
  /** Both together: what shares the API's machine-action read budget. */
  readonly total: number;
}

/** The machine-action reads among `calls`, any answer. */
export function readCalls(calls: readonly CallRecord[]): ReadCalls {
  const getAction = calls.filter((c) => c.route === "getAction").length;
  const listActions = calls.filter((c) => c.route === "listActions").length;
  return { getAction, listActions, total: getAction + listActions };
}

/** 429 answers on any route. */
export function throttledCalls(calls: readonly CallRecord[]): number {
  return calls.filter((c) => c.status === 429).length;
}
