/**
 * pulumi-mde: forensic evidence collection from Microsoft Defender for Endpoint, declared as code.
 *
 * @packageDocumentation
 */
export { DeviceIsolation, type DeviceIsolationArgs } from "./deviceIsolation";
export {
  type GetMachinesArgs,
  type GetMachinesOutputArgs,
  type GetMachinesResult,
  getMachines,
  getMachinesOutput,
  type Machine,
} from "./getMachines";
export {
  InvestigationPackageCollection,
  type InvestigationPackageCollectionArgs,
} from "./investigationPackageCollection";
export {
  type EvidenceRetention,
  InvestigationPackageDownload,
  type InvestigationPackageDownloadArgs,
} from "./investigationPackageDownload";
export {
  type LiveResponseFile,
  LiveResponseFileCollection,
  type LiveResponseFileCollectionArgs,
} from "./liveResponseFileCollection";
