import * as pulumi from "@pulumi/pulumi";
import { programDirectory } from "./programDirectory";
import { noteDownload } from "./waitingNotice";

/** What protects an evidence blob (see `retention`). */
export interface EvidenceRetention {
  /** A time-based retention (WORM) policy is set on the container. */
  immutabilityPolicy: boolean;
  /** A legal hold is set on the container. */
  legalHold: boolean;
  /** Version-level immutability is enabled on the container. */
  versionLevelImmutability: boolean;
  /** Anything protects the blob. */
  protected: boolean;
  /** One line, e.g. `container immutability policy`, or `none`. */
  summary: string;
  /** The blob's own version-level policy, when reported. */
  blobImmutabilityPolicy?: { mode: string; until: string };
  /** A legal hold on the blob itself, when reported. */
  blobLegalHold?: boolean;
}

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
   * Give exactly one of `directory` and `blobContainerUrl`.
   */
  directory?: pulumi.Input<string>;
  /**
   * The https URL of a blob container that keeps the evidence, e.g.
   * `https://<account>.blob.core.windows.net/evidence` (or path-style for an emulator,
   * `https://127.0.0.1:10000/devstoreaccount1/evidence`). No query string (a SAS is refused: it would sit in
   * state), no user info. The package goes to `<blobPrefix><computerDnsName or machineId>-<actionId>.zip`
   * with `<same>.manifest.json` beside it; nothing is ever overwritten. Signed in to with the stack's
   * `mde:*` credential (scope `https://storage.azure.com/.default`): grant it Storage Blob Data Contributor
   * on the container. A change downloads into a new resource (the old blobs stay).
   */
  blobContainerUrl?: pulumi.Input<string>;
  /** Start of every blob name in the container, e.g. `IR-4711/`. Only with `blobContainerUrl`. @default "" */
  blobPrefix?: pulumi.Input<string>;
  /**
   * Refuse a container that has no immutability policy, legal hold or version-level immutability
   * (`MDE_EVIDENCE_NOT_IMMUTABLE`), before any package link is fetched. Set `false` only for test
   * containers. Only with `blobContainerUrl`.
   * @default true
   */
  requireImmutableStorage?: pulumi.Input<boolean>;
  /**
   * How long `pulumi up` waits for the collection to succeed before failing (nothing is written then).
   * @default 60
   */
  timeoutInMinutes?: pulumi.Input<number>;
  /**
   * The connection profile to act through: a name in the stack config \`mde:profiles\` (its tenant,
   * application and credential; see the README's MSSP section). Unset: the stack's top-level \`mde:*\`
   * settings. A misspelled name fails at preview. A change replaces the resource.
   */
  profile?: pulumi.Input<string>;
  /**
   * Longest time the package transfer may take, in real minutes: requests, bytes and waits between
   * attempts (waiting for a link in the GetPackageUri budget is not counted). A link host that sends too
   * slowly is cut off then, with `MDE_TRANSFER_TIMEOUT`, and nothing is kept. Apart from it, an attempt
   * that receives no byte for 60 s (the stall timeout) is resumed with a byte range, a bounded number of
   * times. At most 1440 (one day).
   * @default 60
   */
  transferTimeoutInMinutes?: pulumi.Input<number>;
  /**
   * Largest package accepted, in bytes, whether or not the link host announces a size: a larger
   * announced package is refused before its first byte, a body running past its announced size or past
   * this cap is cut before the disk fills (`MDE_PACKAGE_TOO_LARGE`), and nothing is kept.
   * @default 4294967296 (4 GiB)
   */
  maxPackageSizeInBytes?: pulumi.Input<number>;
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
 * Downloads the investigation package of a Defender collection into a local folder or an immutable blob
 * container, proves its integrity and records its chain of custody.
 *
 * `pulumi up` waits until the collection has `Succeeded`, fetches the short-lived download link
 * (`GetPackageUri`, within its 2/min and 120/h budget shared by every download of the deployment), streams
 * the zip to disk while hashing it, resumes a cut transfer, replaces an expired link, checks every zip
 * entry's CRC-32, then puts the file in place with a manifest (`<name>.manifest.json`: action, device,
 * requestor and comment, times, size, SHA-256, API host, Pulumi project and stack, pulumi-mde version).
 * The link is a bearer secret: it never reaches state, outputs, logs or errors.
 *
 * `pulumi refresh` hashes the file and its manifest again: `fileStatus` becomes `missing`, `altered`,
 * `manifestMissing` or `manifestAltered` when they drifted; the next `pulumi up` downloads the package
 * again (no new collection), or only writes the manifest again from state when the package is intact.
 * Every network wait is bounded: a stall timeout, `transferTimeoutInMinutes`, and `maxPackageSizeInBytes`. Deleting the resource
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
  /** Absolute path of the zip (also the resource ID), for a `directory` destination. */
  declare readonly path: pulumi.Output<string | undefined>;
  /** URL of the zip blob (also the resource ID; no query string), for a `blobContainerUrl` destination. */
  declare readonly blobUrl: pulumi.Output<string | undefined>;
  /** URL of the manifest blob beside the zip, for a `blobContainerUrl` destination. */
  declare readonly manifestUrl: pulumi.Output<string | undefined>;
  /**
   * What protects the blob, for a `blobContainerUrl` destination: the container's immutability policy,
   * legal hold and version-level immutability as the data plane reports them, the blob's own policy when
   * reported, `protected`, and a one-line `summary` (`none` when nothing protects it).
   */
  declare readonly retention: pulumi.Output<EvidenceRetention | undefined>;
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
  /** Absolute path of the manifest beside the zip, for a `directory` destination. */
  declare readonly manifestPath: pulumi.Output<string | undefined>;
  /**
   * What the last create, update or refresh found: `intact`, `missing`, `altered`, `manifestMissing`, or
   * `manifestAltered` (the manifest's bytes differ from {@link manifestSha256}).
   */
  declare readonly fileStatus: pulumi.Output<
    "intact" | "missing" | "altered" | "manifestMissing" | "manifestAltered"
  >;
  /**
   * SHA-256 of the manifest's bytes as written, lowercase hex. The manifest is evidence too: a refresh
   * that finds other bytes reports `manifestAltered`, and the next `up` writes it again from {@link manifest}.
   */
  declare readonly manifestSha256: pulumi.Output<string>;
  /**
   * The manifest's record as written (the same fields as the file). The file's text is rebuilt from it
   * byte for byte: keys in a fixed order, two-space indentation, a final newline.
   */
  declare readonly manifest: pulumi.Output<Record<string, unknown>>;
  /** The inputs as stored. */
  declare readonly actionId: pulumi.Output<string>;
  declare readonly directory: pulumi.Output<string | undefined>;
  declare readonly blobContainerUrl: pulumi.Output<string | undefined>;
  declare readonly blobPrefix: pulumi.Output<string | undefined>;
  declare readonly requireImmutableStorage: pulumi.Output<boolean | undefined>;
  declare readonly timeoutInMinutes: pulumi.Output<number>;
  declare readonly transferTimeoutInMinutes: pulumi.Output<number>;
  declare readonly maxPackageSizeInBytes: pulumi.Output<number>;

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
        directory: programDirectory(args?.directory),
        blobContainerUrl: args?.blobContainerUrl,
        blobPrefix: args?.blobPrefix,
        requireImmutableStorage: args?.requireImmutableStorage,
        timeoutInMinutes: args?.timeoutInMinutes,
        profile: args?.profile,
        transferTimeoutInMinutes: args?.transferTimeoutInMinutes,
        maxPackageSizeInBytes: args?.maxPackageSizeInBytes,
        pulumiStack: `${pulumi.getProject()}/${pulumi.getStack()}`,
        path: undefined,
        blobUrl: undefined,
        manifestUrl: undefined,
        retention: undefined,
        sha256: undefined,
        sizeInBytes: undefined,
        downloadedAt: undefined,
        machineId: undefined,
        computerDnsName: undefined,
        manifestPath: undefined,
        fileStatus: undefined,
        manifestSha256: undefined,
        manifest: undefined,
      },
      opts,
    );
    // A download holds an engine slot while it waits and transfers (see waitingNotice).
    noteDownload(args?.actionId);
  }
}
