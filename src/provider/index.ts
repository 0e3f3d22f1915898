/**
 * The provider side of pulumi-mde: what the dynamic provider process loads by package name
 * (`require("pulumi-mde/provider")`), and the Defender client it runs on.
 *
 * @packageDocumentation
 */
// First: a Node.js too old for the HTTP client must fail here, with a message, not inside undici.
import "./requireNode";
// Then: stop with the engine from the moment this process loads the provider.
import "./watchEngine";

export { type CollectResult, DefenderClient } from "../client/defenderClient";
export {
  type DeviceTargetProblem,
  deviceAmbiguous,
  deviceNotActive,
  deviceNotFound,
} from "../client/deviceTargetErrors";
export { buildMachineFilter, type MachineCriteria } from "../client/machineFilter";
export {
  findMachinesByName,
  type ListAllMachinesOptions,
  listAllMachines,
  type MachineReader,
  type ResolveMachineOptions,
  resolveMachine,
} from "../client/machineQuery";
export { getDefenderClient } from "../client/sharedClients";
export {
  FINAL_STATUSES,
  isFinalStatus,
  type Machine,
  type MachineAction,
  type MachineActionStatus,
} from "../client/wireTypes";
export { DefenderError, type DefenderErrorCode, isDefenderError } from "../core/errors";
export {
  type CollectionInputs,
  type ConflictPolicy,
  checkCollectionInputs,
  diffCollectionInputs,
} from "../resources/collection/collectionInputs";
export { CollectionIncompleteError, collectionOutputs } from "../resources/collection/collectionOutputs";
export { collectionProvider } from "../resources/collection/collectionProvider";
export {
  checkDownloadInputs,
  type DownloadInputs,
  diffDownloadInputs,
} from "../resources/download/downloadInputs";
export { downloadProvider } from "../resources/download/downloadProvider";
export type { EvidenceDestination, EvidenceFileStatus } from "../resources/evidence/evidenceDestination";
export { EvidenceError, type EvidenceErrorCode, isEvidenceError } from "../resources/evidence/evidenceError";
export { type EvidenceManifest, MANIFEST_SCHEMA } from "../resources/evidence/evidenceManifest";
export { isolationProvider } from "../resources/isolation/isolationProvider";
export { liveResponseProvider as liveResponseFileCollectionProvider } from "../resources/liveResponse/liveResponseProvider";
export { resolveSettings, type Settings } from "../settings/resolveSettings";
