/**
 * pulumi-mde: forensic evidence collection from Microsoft Defender for Endpoint, declared as code.
 *
 * @packageDocumentation
 */
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
