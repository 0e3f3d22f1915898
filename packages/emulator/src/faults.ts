/**
 * Scripted faults. Rules are kept in the order they were added; a call takes the first
 * unexhausted rule of its route, which either lets it through (while `skip` lasts) or applies.
 */
import type { FaultRule, RouteName } from "./types";

interface ActiveRule {
  rule: FaultRule;
  skipLeft: number;
  timesLeft: number;
}

/** Holds fault rules and hands them out. */
export class FaultInjector {
  private rules: ActiveRule[] = [];

  /** Adds a rule; validates it so a typo fails loudly instead of never matching. */
  add(rule: FaultRule): void {
    const skip = rule.skip ?? 0;
    const times = rule.times ?? 1;
    if (!Number.isInteger(skip) || skip < 0)
      throw new RangeError("fault skip must be a non-negative integer");
    if (!Number.isInteger(times) || times < 1) throw new RangeError("fault times must be a positive integer");
    if (
      ![
        "status",
        "latency",
        "reset",
        "commitThenDrop",
        "cutAfterBytes",
        "corruptAt",
        "trickle",
        "endlessBody",
        "completeAfterRelease",
      ].includes(rule.kind)
    ) {
      throw new RangeError(`unknown fault kind ${String((rule as { kind: unknown }).kind)}`);
    }
    if (rule.kind === "cutAfterBytes" && !(Number.isSafeInteger(rule.bytes) && rule.bytes >= 0))
      throw new RangeError("cutAfterBytes needs bytes, a non-negative integer");
    if (rule.kind === "corruptAt" && !(Number.isSafeInteger(rule.offset) && rule.offset >= 0))
      throw new RangeError("corruptAt needs offset, a non-negative integer");
    if (rule.kind === "trickle" && !(Number.isSafeInteger(rule.intervalMs) && rule.intervalMs >= 0))
      throw new RangeError("trickle needs intervalMs, a non-negative integer");
    if (
      rule.kind === "trickle" &&
      rule.bytes !== undefined &&
      !(Number.isSafeInteger(rule.bytes) && rule.bytes >= 1)
    )
      throw new RangeError("trickle bytes must be a positive integer");
    if (rule.tenantId !== undefined && (typeof rule.tenantId !== "string" || rule.tenantId.trim() === ""))
      throw new RangeError("fault tenantId must be a non-empty string");
    if (rule.kind === "completeAfterRelease" && rule.route !== "isolate")
      throw new RangeError("completeAfterRelease applies to route isolate only");
    const scoped = rule.tenantId === undefined ? {} : { tenantId: rule.tenantId.toLowerCase() };
    this.rules.push({ rule: { ...rule, ...scoped }, skipLeft: skip, timesLeft: times });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Rules not yet used up, with what is left of them. */
  list(): (FaultRule & { skipLeft: number; timesLeft: number })[] {
    return this.rules.map((r) => ({ ...r.rule, skipLeft: r.skipLeft, timesLeft: r.timesLeft }));
  }

  /**
   * The fault to apply to this call of `route`, made as `tenantId` (when known), if any; consumes it.
   * A rule scoped to a tenant matches only calls made as that tenant.
   */
  take(route: RouteName, tenantId?: string): FaultRule | undefined {
    const active = this.rules.find(
      (r) => r.rule.route === route && (r.rule.tenantId === undefined || r.rule.tenantId === tenantId),
    );
    if (!active) return undefined;
    if (active.skipLeft > 0) {
      active.skipLeft--;
      return undefined;
    }
    active.timesLeft--;
    if (active.timesLeft <= 0) this.rules = this.rules.filter((r) => r !== active);
    return active.rule;
  }
}
