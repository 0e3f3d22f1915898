/**
 * The marker that ties a Defender action to the resource instance that posted it.
 *
 * Defender keeps nothing of a request but its `Comment`, so the provider appends a short marker to it:
 * a digest of the stack, the resource's name, what the post does (for resources that post more than one
 * kind of action) and the inputs whose change starts a new action (device, comment, triggers). Before posting, create looks for an action carrying its marker and takes
 * it over instead of posting again: a deployment killed between "Defender created the action" and "the
 * engine recorded it" is recovered by simply running `pulumi up` again. A deliberate re-collection
 * (new `triggers` or comment) has a new marker, so an earlier action is never mistaken for it.
 */
import { createHash } from "node:crypto";

/** Prefix of every marker, so people reading the action center can tell what it is. */
export const MARKER_PREFIX = "pulumi-mde:";
/** Hex digits of the digest kept in the marker (40 bits: no collision among one device's actions). */
export const MARKER_DIGITS = 10;

/** What identifies one declared action. */
export interface MarkerInputs {
  /**
   * What this post does, for resources that post several (e.g. `isolate`, `release`), with anything that
   * tells one post of the same kind from the next (e.g. the action it follows). Absent for a collection,
   * whose markers stay as they always were.
   */
  kind?: string;
  /** The tenant, for a resource acting through a connection profile (absent: the stack's own tenant). */
  tenant?: string;
  /** `project/stack`. */
  stack: string;
  /** The resource's name in the program. */
  name: string;
  /** The device (lower-case id). */
  machineId: string;
  /** The comment as declared. */
  comment: string;
  /** The triggers as declared. */
  triggers?: unknown[] | undefined;
}

/** The marker of a declared action, e.g. `pulumi-mde:3f9a2c1b7e`. */
export function actionMarker(inputs: MarkerInputs): string {
  const identity = JSON.stringify([
    inputs.stack,
    inputs.name,
    inputs.machineId.toLowerCase(),
    inputs.comment,
    inputs.triggers ?? [],
    ...(inputs.kind !== undefined ? [inputs.kind] : []),
    ...(inputs.tenant !== undefined ? [`tenant:${inputs.tenant.toLowerCase()}`] : []),
  ]);
  return MARKER_PREFIX + createHash("sha256").update(identity).digest("hex").slice(0, MARKER_DIGITS);
}

/** The Comment sent to Defender: the declared comment, then the marker in brackets. */
export function markedComment(comment: string, marker: string): string {
  return `${comment} [${marker}]`;
}

/** The stored inputs a resource's marker is built from. */
export interface MarkedInputs {
  comment: string;
  machineId: string;
  triggers?: unknown[] | undefined;
  pulumiStack?: string | undefined;
  resourceName?: string | undefined;
}

/** Options of {@link markedCommentOf}. */
export interface MarkedCommentOptions {
  /** What this post does, for resources that post several kinds (see {@link MarkerInputs.kind}). */
  kind?: string;
  /** The tenant, when the resource acts through a connection profile. */
  tenant?: string | undefined;
  /** The text to send, when it is not the declared comment (e.g. a release's). @default inputs.comment */
  text?: string;
}

/** The Comment to post for a declared resource: its text, then the marker of its identity. */
export function markedCommentOf(inputs: MarkedInputs, options: MarkedCommentOptions = {}): string {
  return markedComment(
    options.text ?? inputs.comment,
    actionMarker({
      stack: inputs.pulumiStack ?? "",
      name: inputs.resourceName ?? "",
      machineId: inputs.machineId,
      comment: inputs.comment,
      triggers: inputs.triggers,
      ...(options.kind !== undefined ? { kind: options.kind } : {}),
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    }),
  );
}

/** The tenant a marker names for `settings`: only with a connection profile (default markers unchanged). */
export function markerTenant(settings: { profile?: string; tenantId?: string }): string | undefined {
  return settings.profile ? (settings.tenantId ?? settings.profile) : undefined;
}
