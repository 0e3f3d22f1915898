import * as pulumi from "@pulumi/pulumi";
import { DefenderError } from "../core/errors";
import { programError } from "./programError";

/**
 * Arguments of a {@link DeviceIsolation}.
 */
export interface DeviceIsolationArgs {
  /** Defender device ID (32 to 40 hex characters). Give this or `computerDnsName`. A change isolates anew. */
  machineId?: pulumi.Input<string>;
  /** The device's computer name as Defender shows it, resolved when the isolation starts. */
  computerDnsName?: pulumi.Input<string>;
  /** How long the create waits for the device to appear in Defender, in minutes. @default 0 */
  deviceWaitInMinutes?: pulumi.Input<number>;
  /** `true`: a device whose `healthStatus` is not `Active` fails the create before anything is posted. @default false */
  requireActiveDevice?: pulumi.Input<boolean>;
  /** Why the device is isolated, sent as `Comment` and shown in Defender's action center. A change isolates anew. */
  comment: pulumi.Input<string>;
  /**
   * `"Full"` cuts the device off the network (Defender still reaches it), `"Selective"` keeps Outlook,
   * Teams and Skype working, `"UnManagedDevice"` contains an unmanaged device. A change isolates anew.
   * @default "Full"
   */
  isolationType?: pulumi.Input<"Full" | "Selective" | "UnManagedDevice">;
  /** Any change in these values isolates anew (a new resource; the old one is released first). @default [] */
  triggers?: pulumi.Input<pulumi.Input<unknown>[]>;
  /**
   * `true`: `pulumi up` returns only when the isolation is final; `Failed`, `TimeOut` and `Cancelled`
   * fail the update and the resource stays in state with its action ID. @default false
   */
  waitForCompletion?: pulumi.Input<boolean>;
  /**
   * How long to wait, in minutes: for the isolation (with `waitForCompletion`), for a pending release or
   * isolation of the device to end before posting, and for the release on delete. @default 60
   */
  completionTimeoutInMinutes?: pulumi.Input<number>;
  /**
   * `true`: destroying or replacing the resource releases the device (one `unisolate`, waited for until it
   * succeeds). `false` leaves the device isolated when the resource goes. @default true
   */
  releaseOnDelete?: pulumi.Input<boolean>;
  /**
   * The connection profile to act through: a name in the stack config \`mde:profiles\` (its tenant,
   * application and credential; see the README's MSSP section). Unset: the stack's top-level \`mde:*\`
   * settings. A misspelled name fails at preview. A change replaces the resource.
   */
  profile?: pulumi.Input<string>;
}

/** The provider as stored in state (see the collection's `PROVIDER_TEXT` for why it is one line). */
export const ISOLATION_PROVIDER_TEXT =
  'exports.handler = function () { return require("pulumi-mde/provider").isolationProvider; };';

/** Resource type: the one `pulumi.dynamic.Resource` would give (module `mde`). */
export const ISOLATION_TYPE = "pulumi-nodejs:dynamic/mde:DeviceIsolation";

/**
 * Isolates a device for as long as the resource exists: contain first, then collect.
 *
 * `pulumi up` posts `POST /api/machines/{id}/isolate` exactly once (the resource ID is the MachineAction
 * ID); `pulumi destroy` posts one `unisolate` and waits for it to succeed. Neither is ever sent while the
 * other is pending on the device: isolate and release sent together can complete out of order and leave a
 * device isolated. `isolated` is the device's state (its latest succeeded Isolate or Unisolate action):
 * a device released outside the stack shows `isolated: false` after `pulumi refresh`, and the next
 * `pulumi up` isolates it again.
 *
 * ## Example Usage
 *
 * ```ts
 * import { DeviceIsolation, InvestigationPackageCollection } from "pulumi-mde";
 *
 * const contained = new DeviceIsolation("ws-042-isolation", {
 *   computerDnsName: "ws-042.contoso.com",
 *   comment: "IR-4711: contain after alert 1234",
 *   waitForCompletion: true,
 * });
 * new InvestigationPackageCollection("ws-042", {
 *   machineId: contained.machineId,
 *   comment: "IR-4711: collect forensics",
 * });
 * export const isolated = contained.isolated;
 * ```
 */
export class DeviceIsolation extends pulumi.CustomResource {
  /** The current isolate MachineAction (the resource ID is the first one). */
  declare readonly actionId: pulumi.Output<string>;
  /** `Pending`, `InProgress`, `Succeeded`, `Failed`, `TimeOut` or `Cancelled`, as of the last create or refresh. */
  declare readonly status: pulumi.Output<string>;
  /** Whether the device is isolated now: its latest succeeded Isolate or Unisolate action was an Isolate. */
  declare readonly isolated: pulumi.Output<boolean>;
  /** Device ID: as given, or the one `computerDnsName` resolved to. */
  declare readonly machineId: pulumi.Output<string>;
  /** Device name, as declared or as Defender reports it. */
  declare readonly computerDnsName: pulumi.Output<string | undefined>;
  /** App ID or UPN that requested the isolation. */
  declare readonly requestor: pulumi.Output<string | undefined>;
  /** When the isolate action was created (ISO 8601, UTC). */
  declare readonly creationDateTimeUtc: pulumi.Output<string>;
  /** `true` when this resource took over an isolation already pending on the device. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The inputs as stored. */
  declare readonly comment: pulumi.Output<string>;
  declare readonly isolationType: pulumi.Output<"Full" | "Selective" | "UnManagedDevice">;
  declare readonly releaseOnDelete: pulumi.Output<boolean>;

  /**
   * @param name The unique name of the resource.
   * @param args Which device, why, and how.
   * @param opts Resource options (`import` is not supported for dynamic resources).
   */
  constructor(name: string, args: DeviceIsolationArgs, opts?: pulumi.CustomResourceOptions) {
    if (opts?.import !== undefined) {
      throw programError(
        new DefenderError(
          "MDE_IMPORT_UNSUPPORTED",
          `DeviceIsolation "${name}": the \`import\` resource option is not supported (Pulumi cannot import dynamic resources, pulumi/pulumi#16175). Declare the isolation without it: an isolation already pending on the device is taken over, and one that succeeded leaves the device isolated.`,
        ),
      );
    }
    super(
      ISOLATION_TYPE,
      name,
      {
        __provider: ISOLATION_PROVIDER_TEXT,
        machineId: args?.machineId,
        computerDnsName: args?.computerDnsName,
        deviceWaitInMinutes: args?.deviceWaitInMinutes,
        requireActiveDevice: args?.requireActiveDevice,
        comment: args?.comment,
        isolationType: args?.isolationType,
        triggers: args?.triggers,
        waitForCompletion: args?.waitForCompletion,
        completionTimeoutInMinutes: args?.completionTimeoutInMinutes,
        releaseOnDelete: args?.releaseOnDelete,
        profile: args?.profile,
        pulumiStack: `${pulumi.getProject()}/${pulumi.getStack()}`,
        resourceName: name,
        actionId: undefined,
        status: undefined,
        isolated: undefined,
        requestor: undefined,
        creationDateTimeUtc: undefined,
        adopted: undefined,
      },
      opts,
    );
  }
}
