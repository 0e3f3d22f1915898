import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { noteDownload } from "./waitingNotice";

/**
 * Arguments of an {@link InvestigationPackageDownload}.
 */
export interface InvestigationPackageDownloadArgs {
  /**
   * MachineAction ID of the collection whose package to download: typically `collection.id` of an
   * {@link InvestigationPackageCollection}. A change downloads into a new resource (the old files stay).
   */
  actionId: pulumi.Input<string>;
  /**
   * Folder that keeps the evidence (created if missing). A relative path is taken from the program's
   * working directory. The package is saved as `<computerDnsName or machineId>-<actionId>.zip` with a
   * manifest beside it. A change downloads into a new resource (the old files stay).
   */
  directory: pulumi.Input<string>;
  /**
   * How long `pulumi up` waits for the collection to succeed before failing (nothing is written then).
   * @default 60
   */
  timeoutInMinutes?: pulumi.Input<number>;
}

/**
 * The provider as stored in state (`__provider`): one hand-written line that loads the installed
 * `pulumi-mde/provider` in the provider process (see the collection's `PROVIDER_TEXT` for why).
 */
export const DOWNLOAD_PROVIDER_TEXT =
  'exports.handler = function () { return require("pulumi-mde/provider").downloadProvider; };';

/** Resource type: the one `pulumi.dynamic.Resource` would give (module `mde`). */
export const DOWNLOAD_TYPE = "pulumi-nodejs:dynamic/mde:InvestigationPackageDownload";

/**
 * Downloads the investigation package of a Defender collection into a local folder, proves its integrity
 * and records its chain of custody.
 *
 * `pulumi up` waits until the collection has `Succeeded`, fetches the short-lived download link
 * (`GetPackageUri`, within its 2/min and 120/h budget shared by every download of the deployment), streams
 * the zip to disk while hashing it, resumes a cut transfer, replaces an expired link, checks every zip
 * entry's CRC-32, then puts the file in place with a manifest (`<name>.manifest.json`: action, device,
 * requestor and comment, times, size, SHA-256, API host, Pulumi project and stack, pulumi-mde version).
 * The link is a bearer secret: it never reaches state, outputs, logs or errors.
 *
 * `pulumi refresh` hashes the file again: `fileStatus` becomes `missing`, `altered` or `manifestMissing`
 * when it drifted, and the next `pulumi up` downloads it again (no new collection). Deleting the resource
 * keeps the files: evidence is never deleted.
 *
 * ## Example Usage
 *
 * ```ts
 * import { InvestigationPackageCollection, InvestigationPackageDownload } from "pulumi-mde";
 *
 * const ws042 = new InvestigationPackageCollection("ws-042", {
 *   machineId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
 *   comment: "IR-4711: collect forensics after alert 1234",
 * });
 * const evidence = new InvestigationPackageDownload("ws-042-package", {
 *   actionId: ws042.id,
 *   directory: "./evidence/IR-4711",
 * });
 * export const sha256 = evidence.sha256;
 * ```
 */
export class InvestigationPackageDownload extends pulumi.CustomResource {
  /** Absolute path of the zip (also the resource ID). */
  declare readonly path: pulumi.Output<string>;
  /** SHA-256 of the zip as downloaded and checked, lowercase hex. */
  declare readonly sha256: pulumi.Output<string>;
  /** Size of the zip in bytes. */
  declare readonly sizeInBytes: pulumi.Output<number>;
  /** When the checked zip was put in place (ISO 8601, UTC). */
  declare readonly downloadedAt: pulumi.Output<string>;
  /** Device ID of the collection. */
  declare readonly machineId: pulumi.Output<string>;
  /** Device name, when Defender reports it. */
  declare readonly computerDnsName: pulumi.Output<string | undefined>;
  /** Absolute path of the manifest beside the zip. */
  declare readonly manifestPath: pulumi.Output<string>;
  /** What the last create, update or refresh found: `intact`, `missing`, `altered` or `manifestMissing`. */
  declare readonly fileStatus: pulumi.Output<"intact" | "missing" | "altered" | "manifestMissing">;
  /** The inputs as stored. */
  declare readonly actionId: pulumi.Output<string>;
  declare readonly directory: pulumi.Output<string>;
  declare readonly timeoutInMinutes: pulumi.Output<number>;

  /**
   * @param name The unique name of the resource.
   * @param args Which collection's package to download, and where to keep it.
   * @param opts Resource options.
   */
  constructor(name: string, args: InvestigationPackageDownloadArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      DOWNLOAD_TYPE,
      name,
      {
        __provider: DOWNLOAD_PROVIDER_TEXT,
        actionId: args?.actionId,
        // Resolved here: the program's working directory is the user's (the provider's may differ).
        directory:
          args?.directory === undefined
            ? undefined
            : pulumi
                .output(args.directory)
                .apply((d) => (typeof d === "string" && d.trim() !== "" ? path.resolve(d) : d)),
        timeoutInMinutes: args?.timeoutInMinutes,
        pulumiStack: `${pulumi.getProject()}/${pulumi.getStack()}`,
        path: undefined,
        sha256: undefined,
        sizeInBytes: undefined,
        downloadedAt: undefined,
        machineId: undefined,
        computerDnsName: undefined,
        manifestPath: undefined,
        fileStatus: undefined,
      },
      opts,
    );
    // A download holds an engine slot while it waits and transfers (see waitingNotice).
    noteDownload(args?.actionId);
  }
}
