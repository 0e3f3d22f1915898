/**
 * The invariant of issue 11, "never collect twice, never orphan an action", as engine tests check it:
 * each declared collection has exactly one action on its device, and the stack holds that action.
 */
import type { ExecutionContext } from "ava";
import type { Emulator } from "pulumi-mde-emulator";
import type { StateResource, TestStack } from "pulumi-mde-harness";
import { type ActionView, collectionsOn } from "./faults";

/** The resource of state named `name` (the last part of its URN). */
export function resourceNamed(resources: StateResource[], name: string): StateResource | undefined {
  return resources.find((r) => r.urn.endsWith(`::${name}`));
}

/**
 * Asserts that device `ids[i]` has exactly one collection and that resource `name(i)` holds it;
 * returns the actions, in the order of `ids`.
 */
export async function assertOneHeldActionPerDevice(
  t: ExecutionContext,
  em: Emulator,
  s: TestStack,
  ids: string[],
  name: (i: number) => string = (i) => `device-${i}`,
): Promise<ActionView[]> {
  const { resources } = await s.exportState();
  t.is(resources.length, ids.length, "every collection is in state");
  const held: ActionView[] = [];
  for (const [i, machineId] of ids.entries()) {
    const actions = await collectionsOn(em, machineId);
    t.is(actions.length, 1, `exactly one collection on device ${i}`);
    t.is(resourceNamed(resources, name(i))?.id, actions[0]?.id, `${name(i)}: the stack holds it`);
    if (actions[0]) held.push(actions[0]);
  }
  return held;
}
