/**
 * OData list queries shared by the list endpoints: `$filter`, `$top` (at most 10000), `$skip`.
 */
import { MdeErrorFactory } from "../errors";
import { type FilterNode, matchesFilter, ODataFilterError, parseFilter } from "../odataFilter";

/** Largest `$top` the service accepts. */
export const MAX_TOP = 10_000;

function nonNegativeInteger(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value.trim()))
    throw MdeErrorFactory.odataError(`Invalid value '${value}' for ${name}: expected a non-negative integer`);
  return Number(value.trim());
}

/** Applies the list query options of `query` to `items` (already in API shape). */
export function applyListQuery(
  items: Record<string, unknown>[],
  query: URLSearchParams,
  filterable: readonly string[],
  entity: string,
): Record<string, unknown>[] {
  const top = nonNegativeInteger("$top", query.get("$top"));
  const skip = nonNegativeInteger("$skip", query.get("$skip")) ?? 0;
  if (top !== undefined && top > MAX_TOP) {
    throw MdeErrorFactory.odataError(
      `The limit of '${MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
    );
  }
  const filterText = query.get("$filter");
  let filter: FilterNode | undefined;
  if (filterText !== null && filterText.trim() !== "") {
    try {
      filter = parseFilter(filterText, filterable, entity);
    } catch (error) {
      if (error instanceof ODataFilterError) throw MdeErrorFactory.odataError(error.message);
      throw error;
    }
  }
  const matching = filter ? items.filter((item) => matchesFilter(filter, item)) : items;
  return matching.slice(skip, skip + (top ?? MAX_TOP));
}
