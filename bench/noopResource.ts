/**
 * The engine's floor: a dynamic resource whose provider does nothing. Timing it beside the collection
 * resource on the same engine, machine and run isolates what the collection provider adds.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * A provider that only echoes its inputs. It captures nothing, so its serialized text is about as
 * small as a dynamic provider can be.
 */
export const noopProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Record<string, unknown>) {
    return { id: `noop-${String(inputs.machineId)}`, outs: inputs };
  },
};

/** Inputs of {@link NoopResource}: the same shape as a collection's, so state sizes compare. */
export interface NoopResourceArgs {
  machineId: pulumi.Input<string>;
  comment: pulumi.Input<string>;
}

/** A dynamic resource served by {@link noopProvider}. */
export class NoopResource extends pulumi.dynamic.Resource {
  constructor(name: string, args: NoopResourceArgs, opts?: pulumi.CustomResourceOptions) {
    super(noopProvider, name, { ...args }, opts, "bench", "Noop");
  }
}
