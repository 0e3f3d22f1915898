/**
 * The OData `$filter` of a device query, built from named criteria. Pure: every value goes through
 * `odataString` (or is checked to be an integer), so a quote in a device name or tag cannot change the
 * query, and a raw filter is kept inside its own parentheses.
 */
import { DefenderError } from "../core/errors";
import { odataString } from "./odata";

/** Criteria of a device query; every one given must hold (they are combined with `and`). */
export interface MachineCriteria {
  /** Devices with this computer DNS name (the API compares without case). */
  computerDnsName?: string;
  /** Devices carrying this tag (`machineTags/any(tag: tag eq '...')`). */
  tag?: string;
  /** Devices with this sensor health: `Active`, `Inactive`, `ImpairedCommunication`, `NoSensorData`, ... */
  healthStatus?: string;
  /** Devices on this platform: `Windows10`, `Windows11`, `WindowsServer2022`, `Linux`, `macOS`, ... */
  osPlatform?: string;
  /** Devices in this device group (its numeric ID). */
  rbacGroupId?: number;
  /** Any other condition, as raw OData (e.g. `riskScore eq 'High'`); kept inside parentheses. */
  filter?: string;
}

/** The string criteria, in the order they appear in the filter, with the OData expression of each. */
const STRING_CRITERIA: ReadonlyArray<{
  name: "computerDnsName" | "tag" | "healthStatus" | "osPlatform";
  expression: (literal: string) => string;
}> = [
  { name: "computerDnsName", expression: (v) => `computerDnsName eq ${v}` },
  { name: "tag", expression: (v) => `machineTags/any(tag: tag eq ${v})` },
  { name: "healthStatus", expression: (v) => `healthStatus eq ${v}` },
  { name: "osPlatform", expression: (v) => `osPlatform eq ${v}` },
];

function invalid(message: string): DefenderError {
  return new DefenderError("MDE_BAD_REQUEST", message, { operation: "listMachines" });
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Why a raw filter could break out of its parentheses (an unbalanced `(`/`)` or an unterminated `'...'`
 * literal), or undefined when it cannot. Quotes inside literals are doubled in OData (`''`).
 */
export function rawFilterProblem(filter: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (inString) {
      if (c === "'" && filter[i + 1] === "'") i++;
      else if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return `the ")" at position ${i} closes a parenthesis never opened`;
  }
  if (inString) return "a '...' string is not closed (write a quote inside a string as '')";
  if (depth > 0) return `${depth} parenthesis ${depth === 1 ? "is" : "are"} not closed`;
  return undefined;
}

/**
 * The `$filter` selecting devices that meet every criterion given, or undefined when none is.
 * @throws DefenderError `MDE_BAD_REQUEST` naming the criterion when a value is empty or of the wrong type,
 *   `rbacGroupId` is not a non-negative integer, or `filter` has unbalanced parentheses or quotes.
 * @example buildMachineFilter({ tag: "incident-4711", healthStatus: "Active" })
 *   // "machineTags/any(tag: tag eq 'incident-4711') and healthStatus eq 'Active'"
 */
export function buildMachineFilter(criteria: MachineCriteria = {}): string | undefined {
  const clauses: string[] = [];
  for (const { name, expression } of STRING_CRITERIA) {
    const value: unknown = criteria[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || value.trim() === "") {
      throw invalid(`${name} must be a non-empty string, got ${describe(value)}. Leave it out to match any.`);
    }
    clauses.push(expression(odataString(value.trim())));
  }
  const group: unknown = criteria.rbacGroupId;
  if (group !== undefined && group !== null) {
    if (typeof group !== "number" || !Number.isSafeInteger(group) || group < 0) {
      throw invalid(
        `rbacGroupId must be the numeric ID of a device group (an integer of 0 or more), got ${describe(group)}.`,
      );
    }
    clauses.push(`rbacGroupId eq ${group}`);
  }
  const raw: unknown = criteria.filter;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== "string" || raw.trim() === "") {
      throw invalid(`filter must be a non-empty OData expression, got ${describe(raw)}.`);
    }
    const problem = rawFilterProblem(raw);
    if (problem) {
      throw invalid(
        `filter ${JSON.stringify(raw)} is not a whole OData expression: ${problem}. It is combined with the other criteria by "and", so it must stand on its own.`,
      );
    }
    // Parentheses keep an `or` in the raw filter from loosening the other criteria.
    clauses.push(`(${raw.trim()})`);
  }
  return clauses.length > 0 ? clauses.join(" and ") : undefined;
}
