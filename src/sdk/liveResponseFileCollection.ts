import * as pulumi from "@pulumi/pulumi";
import { DefenderError } from "../core/errors";
import type { CollectedFile } from "../resources/liveResponse/liveResponseFiles";
import { programDirectory } from "./programDirectory";
import { programError } from "./programError";

/**
 * Arguments of a {@link LiveResponseFileCollection}.
 */
export interface LiveResponseFileCollectionArgs {
  /** Defender device ID (32 to 40 hex characters). Give this or `computerDnsName`. A change collects anew. */
  machineId?: pulumi.Input<string>;
  /** The device's computer name as Defender shows it, resolved when the session starts. */
  computerDnsName?: pulumi.Input<string>;
  /** How long the create waits for the device to appear in Defender, in minutes. @default 0 */
  deviceWaitInMinutes?: pulumi.Input<number>;
  /** `true`: a device whose `healthStatus` is not `Active` fails the create before anything is posted. @default false */
  requireActiveDevice?: pulumi.Input<boolean>;
  /** Why the files are collected, sent as `Comment` and shown in Defender's action center. A change collects anew. */
  comment: pulumi.Input<string>;
  /**
   * Full paths of the files on the device, 1 to 20, each once (e.g. `C:\\Windows\\Prefetch\\X.pf`,
   * `/var/log/auth.log`). One GetFile command per path, run in this order in one session. A change
   * collects anew (the files already stored stay).
   */
  paths: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Folder that keeps the files (created if missing); a relative path is taken from the program's working
   * directory. Each file is saved as `<device>-<actionId>-<index>-<file name>` with
   * `<same>.manifest.json` beside it, never overwritten. Give exactly one of `directory` and
   * `blobContainerUrl`.
   */
  directory?: pulumi.Input<string>;
  /**
   * The https URL of a blob container that keeps the files (no query string, no user info), signed in to
   * with the stack's credential, as for an {@link InvestigationPackageDownload}.
   */
  blobContainerUrl?: pulumi.Input<string>;
  /** Start of every blob name, e.g. `IR-4711/`. Only with `blobContainerUrl`. @default "" */
  blobPrefix?: pulumi.Input<string>;
  /** Refuse a container that nothing makes immutable, before the session is posted. @default true */
  requireImmutableStorage?: pulumi.Input<boolean>;
  /**
   * How long `pulumi up` waits for the session to end (queued sessions included), in minutes. Past it the
   * resource is kept in state and the next `up` goes on waiting. At most 4320 (three days). @default 60
   */
  timeoutInMinutes?: pulumi.Input<number>;
  /** Any change in these values collects anew (a new session and new files). @default [] */
  triggers?: pulumi.Input<pulumi.Input<unknown>[]>;
  /**
   * The connection profile to act through: a name in the stack config `mde:profiles` (its tenant,
   * application and credential). Unset: the stack's top-level `mde:*` settings. A change collects anew.
   */
  profile?: pulumi.Input<string>;
}

/** One path's outcome, in {@link LiveResponseFileCollection.files} (the provider's record, as stored). */
export type LiveResponseFile = CollectedFile;

/** The provider as stored in state (see the collection's `PROVIDER_TEXT` for why it is one line). */
export const LIVE_RESPONSE_PROVIDER_TEXT =
  'exports.handler = function () { return require("pulumi-mde/provider").liveResponseFileCollectionProvider; };';

/** Resource type: the one `pulumi.dynamic.Resource` would give (module `mde`). */
export const LIVE_RESPONSE_TYPE = "pulumi-nodejs:dynamic/mde:LiveResponseFileCollection";

/**
 * Collects files from a device through one live response session, into a folder or a blob container, each
 * proven by its SHA-256 and recorded by a manifest beside it.
 *
 * `pulumi up` posts `POST /api/machines/{id}/runliveresponse` exactly once with a `GetFile` command per
 * path (the resource ID is the MachineAction ID), follows the session until it ends, then fetches each
 * completed command's result link (valid 30 minutes, a bearer secret that never reaches state or logs) and
 * stores the file. A path whose command failed (e.g. "File not found") is reported in `files`, and the
 * update fails naming it while every collected file stays in state. `pulumi refresh` hashes the stored files
 * again; the next `up` stores a missing one again from the same session. Deleting keeps the files.
 *
 * Needs `Machine.LiveResponse` (application) or the "Advanced live response" role (user), and for an
 * application `Machine.ReadWrite.All` for the result links.
 *
 * ## Example Usage
 *
 * ```ts
 * import { LiveResponseFileCollection } from "pulumi-mde";
 *
 * const files = new LiveResponseFileCollection("ws-042-files", {
 *   computerDnsName: "ws-042.contoso.com",
 *   comment: "IR-4711: dropper and prefetch",
 *   paths: ["C:\\Users\\Public\\Downloads\\invoice-4711.exe", "C:\\Windows\\Prefetch\\POWERSHELL.EXE-022A1004.pf"],
 *   directory: "./evidence/IR-4711",
 * });
 * export const collected = files.files;
 * ```
 */
export class LiveResponseFileCollection extends pulumi.CustomResource {
  /** The live response MachineAction (also the resource ID). */
  declare readonly actionId: pulumi.Output<string>;
  /** The session's status: `Succeeded`, or `Failed` when a command failed, `TimeOut`, `Cancelled`, ... */
  declare readonly status: pulumi.Output<string>;
  /** One record per path, in command order. */
  declare readonly files: pulumi.Output<LiveResponseFile[]>;
  /** Device ID: as given, or the one `computerDnsName` resolved to. */
  declare readonly machineId: pulumi.Output<string>;
  /** Device name, as declared or as Defender reports it. */
  declare readonly computerDnsName: pulumi.Output<string | undefined>;
  /** When the session was created (ISO 8601, UTC). */
  declare readonly creationDateTimeUtc: pulumi.Output<string>;
  /** `true` when create took over a session an earlier deployment posted with this resource's marker. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The inputs as stored. */
  declare readonly comment: pulumi.Output<string>;
  declare readonly paths: pulumi.Output<string[]>;
  declare readonly directory: pulumi.Output<string | undefined>;
  declare readonly blobContainerUrl: pulumi.Output<string | undefined>;
  declare readonly blobPrefix: pulumi.Output<string | undefined>;

  /**
   * @param name The unique name of the resource.
   * @param args Which device, which files, why, and where to keep them.
   * @param opts Resource options (`import` is not supported for dynamic resources).
   */
  constructor(name: string, args: LiveResponseFileCollectionArgs, opts?: pulumi.CustomResourceOptions) {
    if (opts?.import !== undefined) {
      throw programError(
        new DefenderError(
          "MDE_IMPORT_UNSUPPORTED",
          `LiveResponseFileCollection "${name}": the \`import\` resource option is not supported (Pulumi cannot import dynamic resources, pulumi/pulumi#16175). Declare the collection without it.`,
        ),
      );
    }
    super(
      LIVE_RESPONSE_TYPE,
      name,
      {
        __provider: LIVE_RESPONSE_PROVIDER_TEXT,
        machineId: args?.machineId,
        computerDnsName: args?.computerDnsName,
        deviceWaitInMinutes: args?.deviceWaitInMinutes,
        requireActiveDevice: args?.requireActiveDevice,
        comment: args?.comment,
        paths: args?.paths,
        directory: programDirectory(args?.directory),
        blobContainerUrl: args?.blobContainerUrl,
        blobPrefix: args?.blobPrefix,
        requireImmutableStorage: args?.requireImmutableStorage,
        timeoutInMinutes: args?.timeoutInMinutes,
        triggers: args?.triggers,
        profile: args?.profile,
        pulumiStack: `${pulumi.getProject()}/${pulumi.getStack()}`,
        resourceName: name,
        actionId: undefined,
        status: undefined,
        files: undefined,
        creationDateTimeUtc: undefined,
        adopted: undefined,
      },
      opts,
    );
  }
}
