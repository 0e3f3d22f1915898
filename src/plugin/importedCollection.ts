/**
 * `pulumi import mde:index:InvestigationPackageCollection <name> <actionId>`: the engine calls `read`
 * with the action ID and no properties. The collection's own `read` looks the action up; its device and
 * the comment Defender recorded (without the resource's marker) become the inputs, so that a program
 * declaring them, as `pulumi import` writes it, changes nothing on the next `up`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DefenderError } from "../core/errors";
import { checkCollectionInputs } from "../resources/collection/collectionInputs";
import { MARKER_DIGITS, MARKER_PREFIX } from "../resources/shared/actionMarker";
import type { ActionProvider } from "../resources/shared/actionProvider";

/** ` [pulumi-mde:<digest>]` at the end of a comment this package sent. */
const MARKER_SUFFIX = new RegExp(` \\[${MARKER_PREFIX}[0-9a-f]{${MARKER_DIGITS}}\\]$`);

/** The comment as declared: Defender's text without the marker this package appends. */
export function declaredComment(requestorComment: unknown): string {
  return typeof requestorComment === "string" ? requestorComment.replace(MARKER_SUFFIX, "") : "";
}

/**
 * Reads an existing collection into state: its outputs, and the inputs a program declares it with.
 * @param identity - `pulumiStack` and `resourceName` of the resource, from its URN.
 * @throws DefenderError `MDE_NOT_FOUND` when no collection has that ID.
 */
export async function readImportedCollection(
  provider: ActionProvider,
  id: string,
  identity: Record<string, string>,
): Promise<pulumi.provider.ReadResult> {
  const found = await provider.read(id, {});
  if (!found.id || !found.props) {
    throw new DefenderError(
      "MDE_NOT_FOUND",
      `No investigation package collection ${id} in this tenant: check the action ID in Defender's action center.`,
      { operation: "getAction" },
    );
  }
  const inputs: Record<string, unknown> = {
    machineId: found.props.machineId,
    comment: declaredComment(found.props.requestorComment),
  };
  // The stored state is what the collection's read gives for those inputs, defaults filled in.
  const checked = checkCollectionInputs({ ...inputs, ...identity }).inputs;
  const read = await provider.read(id, { ...checked, creationDateTimeUtc: found.props.creationDateTimeUtc });
  return { id, props: read.props, inputs };
}
