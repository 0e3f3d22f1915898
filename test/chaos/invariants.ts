/**
 * The invariants a chaos schedule must leave behind, as a pure function of what Defender (the
 * emulator) holds and what the stack's state holds:
 *
 * - no duplicate: at most one action per declared collection and generation (its marked comment);
 * - nothing lost: the current generation of every collection has its action;
 * - no orphan: every action of a current generation is the one its resource holds in state;
 * - no skipped re-collection: after a triggers change, the resource holds a new action, carrying the
 *   new marker, not the one it held before;
 * - nothing foreign: every collection on our devices carries one of our marked comments.
 */

/** An action as the emulator lists it. */
export interface ObservedAction {
  id: string;
  machineId: string;
  status: string;
  requestorComment?: string;
}

/** A collection as declared, with the marked comment of each generation it went through. */
export interface ExpectedCollection {
  name: string;
  machineId: string;
  /** Marked comments, oldest first; the last is the current generation's. */
  generations: string[];
  /** Action id the resource held before its triggers last changed, if they did. */
  heldBefore?: string;
}

/** A resource of the stack's state. */
export interface HeldResource {
  name: string;
  id: string;
  requestorComment?: string;
}

/** What broke, counted and described. */
export interface Violations {
  duplicates: number;
  orphans: number;
  skippedRecollections: number;
  lost: number;
  foreign: number;
  /** One line per violation. */
  messages: string[];
}

/** Checks every invariant; `actions` are all collections on the collections' devices. */
export function checkInvariants(
  expected: ExpectedCollection[],
  actions: ObservedAction[],
  held: HeldResource[],
): Violations {
  const v: Violations = {
    duplicates: 0,
    orphans: 0,
    skippedRecollections: 0,
    lost: 0,
    foreign: 0,
    messages: [],
  };
  const ours = new Set<string>();
  for (const c of expected) {
    const onDevice = actions.filter((a) => a.machineId.toLowerCase() === c.machineId.toLowerCase());
    for (const [g, comment] of c.generations.entries()) {
      ours.add(`${c.machineId.toLowerCase()}\n${comment}`);
      const matching = onDevice.filter((a) => a.requestorComment === comment);
      if (matching.length > 1) {
        v.duplicates += matching.length - 1;
        v.messages.push(
          `duplicate: ${c.name} generation ${g + 1} has ${matching.length} actions (${matching.map((a) => `${a.id} ${a.status}`).join(", ")})`,
        );
      }
    }
    const current = c.generations[c.generations.length - 1] ?? "";
    const currentActions = onDevice.filter((a) => a.requestorComment === current);
    const resource = held.find((r) => r.name === c.name);
    if (currentActions.length === 0) {
      v.lost++;
      v.messages.push(
        `lost: ${c.name} has no action with its current marked comment ${JSON.stringify(current)}`,
      );
    }
    for (const a of currentActions) {
      if (resource?.id !== a.id) {
        v.orphans++;
        v.messages.push(
          `orphan: action ${a.id} (${a.status}) of ${c.name} is not held; the stack holds ${resource?.id ?? "nothing"}`,
        );
      }
    }
    if (c.heldBefore !== undefined) {
      if (!resource || resource.id === c.heldBefore || resource.requestorComment !== current) {
        v.skippedRecollections++;
        v.messages.push(
          `skipped re-collection: ${c.name} holds ${resource?.id ?? "nothing"} (${JSON.stringify(resource?.requestorComment)}), held ${c.heldBefore} before its triggers changed`,
        );
      }
    }
  }
  for (const a of actions) {
    if (!ours.has(`${a.machineId.toLowerCase()}\n${a.requestorComment}`)) {
      v.foreign++;
      v.messages.push(
        `foreign: action ${a.id} on ${a.machineId} carries ${JSON.stringify(a.requestorComment)}, no declared collection's`,
      );
    }
  }
  return v;
}
