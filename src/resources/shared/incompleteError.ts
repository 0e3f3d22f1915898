/**
 * The partial-failure error of a resource whose API object exists but did not end well (a collection that
 * failed or timed out, a download that could not finish): the engine keeps the resource in state with
 * its ID and properties and reports the reasons, instead of forgetting an object that exists.
 */

/** Property under which the dynamic-provider host keeps the provider text. */
export const PROVIDER_KEY = "__provider";

/**
 * Records a resource in state while failing the operation. The dynamic-provider host adds `__provider` only
 * to successful results, and a resource stored without it cannot be read or deleted again ("code must be a
 * string, not undefined"): so the provider text of the inputs is carried into the recorded properties.
 */
export class ResourceIncompleteError extends Error {
  override readonly name: string = "ResourceIncompleteError";
  /** Stable code, like every error of this package. */
  readonly code: string = "MDE_RESOURCE_INCOMPLETE";
  /** Read by the dynamic-provider host: the resource ID to record. */
  readonly id: string;
  /** Read by the dynamic-provider host: the outputs to record, `__provider` included. */
  readonly properties: Record<string, unknown>;
  /** Read by the dynamic-provider host: why initialisation failed. */
  readonly reasons: string[];

  /**
   * @param message - What happened and what to do.
   * @param id - The resource ID to record.
   * @param properties - The outputs to record.
   * @param inputs - The operation's inputs as the host passed them: their `__provider` is kept.
   */
  constructor(
    message: string,
    id: string,
    properties: Record<string, unknown>,
    inputs: Record<string, unknown>,
  ) {
    super(message);
    this.id = id;
    const provider = inputs[PROVIDER_KEY];
    this.properties =
      provider === undefined ? { ...properties } : { ...properties, [PROVIDER_KEY]: provider };
    this.reasons = [message];
  }
}
