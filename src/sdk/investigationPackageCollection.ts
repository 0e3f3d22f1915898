import * as pulumi from "@pulumi/pulumi";
import { DefenderError } from "../core/errors";
import { programError } from "./programError";
import { noteCollection } from "./waitingNotice";

/**
 * Arguments of an {@link InvestigationPackageCollection}.
 */
export interface InvestigationPackageCollectionArgs {
  /**
   * Defender device ID: 40 lowercase hex characters (32 to 40 accepted), as shown on the device
   * page or returned by {@link getMachines}. Give this or `computerDnsName`, not both. A change starts
   * a new collection.
   */
  machineId?: pulumi.Input<string>;
  /**
   * The device's computer name as Defender shows it (e.g. `ws-042.contoso.com`, compared without case),
   * instead of `machineId`. It is resolved through the Machines API when the collection starts, and the
   * device ID it resolves to is the `machineId` output. No device by that name, or several (a
   * re-onboarded device keeps its name and gets a new ID), fails the update, naming each candidate, and
   * starts nothing. A change starts a new collection; a refresh that fills in `machineId` does not.
   */
  computerDnsName?: pulumi.Input<string>;
  /**
   * With `computerDnsName` (or `machineId`): how long the create waits for the device to appear in
   * Defender (a lab VM onboards minutes after it boots), looking it up every 30 seconds within the
   * Machines API's budget, before failing. At most 1440 (one day). @default 0
   */
  deviceWaitInMinutes?: pulumi.Input<number>;
  /**
   * `true`: a device whose `healthStatus` is not `Active` fails the create, naming its status and when
   * it was last seen, before anything is posted (an inactive device would leave the collection Pending
   * until it times out). @default false
   */
  requireActiveDevice?: pulumi.Input<boolean>;
  /**
   * Why the package is collected, sent as `Comment` and shown in Defender's action center
   * (at most 1000 characters, no control characters but tab and newline). A change starts a new
   * collection.
   */
  comment: pulumi.Input<string>;
  /** Any change in these values starts a new collection (e.g. an incident revision). @default [] */
  triggers?: pulumi.Input<pulumi.Input<unknown>[]>;
  /**
   * `true`: `pulumi up` returns only when the action is final. `Failed`, `TimeOut` and `Cancelled`
   * fail the update, and the resource stays in state with its action ID. @default false
   */
  waitForCompletion?: pulumi.Input<boolean>;
  /** With `waitForCompletion`: how long to wait for a final status. @default 60 */
  completionTimeoutInMinutes?: pulumi.Input<number>;
  /**
   * `true`: deleting or replacing the resource cancels the action if it is still running.
   * By default only state is dropped: collected evidence cannot be un-collected. @default false
   */
  cancelOnDelete?: pulumi.Input<boolean>;
  /**
   * When the device is already collecting: `"adopt"` takes that action over (`adopted` is `true`),
   * `"fail"` fails the update and names the running action. @default "adopt"
   */
  onConflict?: pulumi.Input<"adopt" | "fail">;
  /**
   * Take over this existing collection (a MachineAction GUID, e.g. one started from the portal or
   * by a lost stack) instead of starting one: no request is posted, `adopted` is `true`. The
   * `import` resource option does not work for dynamic resources (pulumi/pulumi#16175); this does
   * the same job. A change replaces the resource.
   */
  adoptActionId?: pulumi.Input<string>;
  /**
   * The connection profile to act through: a name in the stack config \`mde:profiles\` (its tenant,
   * application and credential; see the README's MSSP section). Unset: the stack's top-level \`mde:*\`
   * settings. A misspelled name fails at preview. A change replaces the resource.
   */
  profile?: pulumi.Input<string>;
}

/**
 * The provider as stored in state (`__provider`): a module whose `handler()` returns the provider,
 * which the engine's dynamic-provider host loads from this text in the provider process. It is written
 * by hand rather than serialized from a function: one line instead of kilobytes in every resource's
 * inputs and outputs (the engine rewrites the whole state after each step), no captured values (no
 * credential can end up in it), and the same text across releases, so read and delete, which run the
 * text from state, always load the installed `pulumi-mde/provider`.
 */
export const PROVIDER_TEXT =
  'exports.handler = function () { return require("pulumi-mde/provider").collectionProvider; };';

/** Resource type: the one `pulumi.dynamic.Resource` would give (module `mde`), served by the dynamic-provider host. */
export const COLLECTION_TYPE = "pulumi-nodejs:dynamic/mde:InvestigationPackageCollection";

/**
 * Collects a Microsoft Defender for Endpoint investigation package from one device.
 *
 * `pulumi up` starts the collection exactly once (`POST /api/machines/{id}/collectInvestigationPackage`);
 * the resource ID is the MachineAction ID. `pulumi refresh` updates its status. Creates are queued
 * so a deployment never exceeds the API's rate limits. Deleting the resource drops it from state;
 * with `cancelOnDelete` a still-running action is cancelled.
 *
 * Credentials and endpoints come from stack config `mde:*` (or `AZURE_*` environment variables).
 *
 * ## Example Usage
 *
 * ```ts
 * import { InvestigationPackageCollection } from "pulumi-mde";
 *
 * const ws042 = new InvestigationPackageCollection("ws-042", {
 *   machineId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
 *   comment: "IR-4711: collect forensics after alert 1234",
 *   waitForCompletion: true,
 * });
 * export const actionId = ws042.actionId;
 *
 * // By name (resolved when the collection starts), or every device carrying a tag:
 * new InvestigationPackageCollection("lab-vm", {
 *   computerDnsName: "lab-vm-01.contoso.com",
 *   comment: "IR-4711",
 *   deviceWaitInMinutes: 15,
 *   requireActiveDevice: true,
 * });
 * const { machines } = await getMachines({ tag: "incident-4711" });
 * for (const m of machines) new InvestigationPackageCollection(m.id, { machineId: m.id, comment: "IR-4711" });
 * ```
 */
export class InvestigationPackageCollection extends pulumi.CustomResource {
  /** MachineAction ID (also the resource ID). */
  declare readonly actionId: pulumi.Output<string>;
  /** `Pending`, `InProgress`, `Succeeded`, `Failed`, `TimeOut` or `Cancelled`, as of the last create or refresh. */
  declare readonly status: pulumi.Output<string>;
  /** Device ID: as given, or the one `computerDnsName` resolved to. */
  declare readonly machineId: pulumi.Output<string>;
  /** Device name: as declared (lower-cased), or as Defender reports it (often null while `Pending`). */
  declare readonly computerDnsName: pulumi.Output<string | undefined>;
  /** App ID or UPN that requested the collection. */
  declare readonly requestor: pulumi.Output<string | undefined>;
  /** The comment Defender recorded. */
  declare readonly requestorComment: pulumi.Output<string | undefined>;
  /** When the action was created (ISO 8601, UTC). */
  declare readonly creationDateTimeUtc: pulumi.Output<string>;
  /** When the action last changed (ISO 8601, UTC), when Defender reports it. */
  declare readonly lastUpdateDateTimeUtc: pulumi.Output<string | undefined>;
  /** `true` when this resource took over a collection that was already running on the device. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The inputs as stored. */
  declare readonly comment: pulumi.Output<string>;
  declare readonly waitForCompletion: pulumi.Output<boolean>;
  declare readonly cancelOnDelete: pulumi.Output<boolean>;
  declare readonly onConflict: pulumi.Output<"adopt" | "fail">;

  /**
   * @param name The unique name of the resource.
   * @param args What to collect, from which device, and how to behave.
   * @param opts Resource options. To bring an existing action into state use `adoptActionId`:
   *   the `import` option does not work for dynamic resources, and is refused here.
   * @throws Error when `opts.import` is set, naming `adoptActionId` as the way to do it.
   */
  constructor(name: string, args: InvestigationPackageCollectionArgs, opts?: pulumi.CustomResourceOptions) {
    if (opts?.import !== undefined) throw programError(importNotSupported(name, opts.import));
    super(
      COLLECTION_TYPE,
      name,
      {
        __provider: PROVIDER_TEXT,
        machineId: args?.machineId,
        computerDnsName: args?.computerDnsName,
        deviceWaitInMinutes: args?.deviceWaitInMinutes,
        requireActiveDevice: args?.requireActiveDevice,
        comment: args?.comment,
        triggers: args?.triggers,
        waitForCompletion: args?.waitForCompletion,
        completionTimeoutInMinutes: args?.completionTimeoutInMinutes,
        cancelOnDelete: args?.cancelOnDelete,
        onConflict: args?.onConflict,
        adoptActionId: args?.adoptActionId,
        profile: args?.profile,
        pulumiStack: `${pulumi.getProject()}/${pulumi.getStack()}`,
        resourceName: name,
        actionId: undefined,
        status: undefined,
        requestor: undefined,
        requestorComment: undefined,
        creationDateTimeUtc: undefined,
        lastUpdateDateTimeUtc: undefined,
        adopted: undefined,
      },
      opts,
    );
    // A waited create holds an engine slot for minutes: the program says so once when they outnumber them.
    noteCollection(args?.waitForCompletion, [this.id, this.actionId]);
  }
}

/**
 * The error for the `import` resource option: the engine cannot import a dynamic resource
 * (pulumi/pulumi#16175) and would fail later with an unrelated message, so the constructor says
 * what to do instead.
 */
export function importNotSupported(name: string, id: pulumi.ID): DefenderError {
  return new DefenderError(
    "MDE_IMPORT_UNSUPPORTED",
    `InvestigationPackageCollection "${name}": the \`import\` resource option is not supported (Pulumi cannot import dynamic resources, pulumi/pulumi#16175). To bring an existing collection into state, remove \`import\` and set \`adoptActionId: "${id}"\` in the resource's arguments: the action is read from Defender and no new collection is started.`,
  );
}
