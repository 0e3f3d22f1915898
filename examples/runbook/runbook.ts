/**
 * An incident-response runbook as a Pulumi program: collect an investigation package from every
 * device named in config, once, and wait for the packages.
 *
 * ```sh
 * pulumi config set runbook:incident IR-4711
 * pulumi config set runbook:reason "collect forensics after alert 1234"
 * pulumi config set --path 'runbook:devices[0]' 1e5bc9d7e413ddd7902c2932e418702b84d0cc07
 * pulumi up                                          # collects once per device
 * pulumi config set runbook:revision 2 && pulumi up  # collects again, on purpose
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import { InvestigationPackageCollection } from "pulumi-mde";

/** Stack outputs of the runbook: one entry per device. */
export interface RunbookOutputs {
  collections: pulumi.Output<Record<string, { actionId: string; status: string }>>;
}

/** Declares the runbook's collections from the `runbook:*` config. */
export function runbook(): RunbookOutputs {
  const config = new pulumi.Config("runbook");
  const incident = config.require("incident");
  const reason = config.get("reason") ?? "collect forensics";
  const devices = config.requireObject<string[]>("devices");
  // Bumping the revision replaces every collection: a deliberate second collection.
  const revision = config.get("revision") ?? "1";
  const waitForCompletion = config.getBoolean("waitForCompletion") ?? true;

  const collections = devices.map(
    (machineId) =>
      new InvestigationPackageCollection(`${incident}-${machineId.slice(0, 12)}`, {
        machineId,
        comment: `${incident}: ${reason}`,
        triggers: [revision],
        waitForCompletion,
        completionTimeoutInMinutes: config.getNumber("completionTimeoutInMinutes") ?? 60,
      }),
  );
  return {
    collections: pulumi
      .all(collections.map((c) => pulumi.all([c.machineId, c.actionId, c.status])))
      .apply((rows) => Object.fromEntries(rows.map(([id, actionId, status]) => [id, { actionId, status }]))),
  };
}
