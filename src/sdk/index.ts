/**
 * pulumi-mde: forensic evidence collection from Microsoft Defender for Endpoint, declared as code.
 *
 * @packageDocumentation
 */
export {
  InvestigationPackageCollection,
  type InvestigationPackageCollectionArgs,
} from "./investigationPackageCollection";
export {
  InvestigationPackageDownload,
  type InvestigationPackageDownloadArgs,
} from "./investigationPackageDownload";
