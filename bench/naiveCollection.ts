/**
 * The baseline a user would otherwise write: a dynamic provider whose `create` POSTs the collection
 * with the global `fetch`, once, and fails on anything but 2xx. No rate budget, no retry, no token
 * cache: the token is an input.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of {@link NaiveCollection}. */
export interface NaiveCollectionArgs {
  /** API origin (paths under `/api`). */
  apiUrl: pulumi.Input<string>;
  /** A bearer token for the Defender API; kept a secret so state holds only its ciphertext. */
  token: pulumi.Input<string>;
  machineId: pulumi.Input<string>;
  comment: pulumi.Input<string>;
}

/**
 * The naive provider. Everything it uses is global (`fetch`, `JSON`) or an input, so it serializes
 * without capturing anything.
 */
export const naiveProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Record<string, unknown>) {
    const response = await fetch(
      `${inputs.apiUrl}/api/machines/${inputs.machineId}/collectInvestigationPackage`,
      {
        method: "POST",
        headers: { Authorization: `Bearer ${inputs.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ Comment: inputs.comment }),
      },
    );
    const text = await response.text();
    if (!response.ok) throw new Error(`collectInvestigationPackage answered ${response.status}: ${text}`);
    const action = JSON.parse(text) as { id: string; status: string };
    return {
      id: action.id,
      outs: {
        machineId: inputs.machineId,
        comment: inputs.comment,
        actionId: action.id,
        status: action.status,
      },
    };
  },
};

/** An investigation-package collection as the naive provider starts it. */
export class NaiveCollection extends pulumi.dynamic.Resource {
  constructor(name: string, args: NaiveCollectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      naiveProvider,
      name,
      { ...args, token: pulumi.secret(args.token) },
      opts,
      "bench",
      "NaiveCollection",
    );
  }
}
