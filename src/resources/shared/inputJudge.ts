/**
 * The check every action resource starts with: one judge per `check` call that collects failures, skips
 * values still unknown at preview, and judges the inputs all action resources share (the device by ID or
 * name, the comment, triggers) before the resource judges its own.
 */
import { checkDeviceTarget, deviceKeyOf, normaliseDeviceTarget } from "./deviceTargetInputs";
import {
  checkBoolean,
  checkComment,
  checkMachineId,
  checkMinutes,
  checkTriggers,
  HEX_ID,
  type InputFailure,
  isUnknown,
} from "./inputChecks";

/** Collects the failures of one resource's inputs. */
export class InputJudge {
  /** Every failure found so far. */
  readonly failures: InputFailure[] = [];

  constructor(private readonly news: Record<string, unknown>) {}

  /** Whether an input's value is known (not the preview placeholder). */
  known(name: string): boolean {
    return !isUnknown(this.news[name]);
  }

  /** Records `reason` against `property` when there is one. */
  judge(property: string, reason: string | undefined): this {
    if (reason !== undefined) this.failures.push({ property, reason });
    return this;
  }

  /** Runs `check` on a known input. */
  ifKnown(name: string, check: (value: unknown) => string | undefined): this {
    return this.known(name) ? this.judge(name, check(this.news[name])) : this;
  }

  /**
   * The shared inputs: the device (`machineId`, or `computerDnsName` with its wait and flag), the comment
   * (saying `why`), and triggers (whose change starts a new `what`).
   */
  actionBasics(why: string, what: string): this {
    // A device named by computerDnsName alone needs no machineId: create resolves it.
    if (this.known("machineId") && deviceKeyOf(this.news) === "machineId") {
      this.judge("machineId", checkMachineId(this.news.machineId));
    }
    this.failures.push(...checkDeviceTarget(this.news, (name) => this.known(name)));
    this.ifKnown("comment", (v) => checkComment(v, why));
    return this.ifKnown("triggers", (v) => checkTriggers(v, what));
  }

  /** Optional flags. */
  flags(...names: string[]): this {
    for (const name of names) this.ifKnown(name, (v) => checkBoolean(name, v));
    return this;
  }

  /** An optional number of minutes in (0, max]. */
  minutes(name: string, max: number, maxLabel: string): this {
    return this.ifKnown(name, (v) => checkMinutes(name, v, max, maxLabel));
  }
}

/** The checked inputs every action resource shares, normalised: machine ID lower-cased, target defaults. */
export function normaliseActionInputs(news: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...news };
  const known = (name: string) => !isUnknown(news[name]);
  if (typeof news.machineId === "string" && known("machineId") && HEX_ID.test(news.machineId.trim())) {
    inputs.machineId = news.machineId.trim().toLowerCase();
  }
  normaliseDeviceTarget(inputs, known);
  return inputs;
}
