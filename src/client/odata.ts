/**
 * OData literals for `$filter`: every value placed in a filter goes through these, so a quote in a
 * device name or comment cannot change the query.
 */

/** Escapes a value for an OData string literal (`'` → `''`) and quotes it. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** OData date-time literal of epoch milliseconds, second precision, e.g. `2026-11-26T10:00:00Z`. */
export function odataDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
