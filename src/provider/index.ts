/**
 * The provider side of pulumi-mde: what the dynamic provider process loads by package name
 * (`require("pulumi-mde/provider")`), and the Defender client it runs on.
 *
 * @packageDocumentation
 */

export {
  type CollectionInputs,
  type ConflictPolicy,
  checkCollectionInputs,
  diffCollectionInputs,
} from "./collectionInputs";
export { CollectionIncompleteError, collectionOutputs, collectionProvider } from "./collectionProvider";
export { type CollectResult, DefenderClient, getDefenderClient } from "./defenderClient";
export { DefenderError, type DefenderErrorCode, isDefenderError } from "./errors";
export { resolveSettings, type Settings } from "./settings";
export { FINAL_STATUSES, isFinalStatus, type MachineAction, type MachineActionStatus } from "./types";
