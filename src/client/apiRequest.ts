/**
 * One request to the Defender API as the client sends it, and the marker of a request that could not be
 * sent because no token could be had.
 */
import type { Operation } from "./operations";

/** A request: the operation's row plus what varies per call. */
export interface ApiRequest {
  /** The operation (family, method, path, permissions). */
  operation: Operation;
  /** The id placed in the operation's path. */
  id?: string;
  /** Other `{name}` placeholders of the operation's path (e.g. `index`). */
  pathParams?: Record<string, string>;
  /** Query parameters; undefined values are skipped. */
  query?: Record<string, string | number | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Device involved, for messages. */
  machineId?: string;
  /** MachineAction involved, for messages. */
  actionId?: string;
}

/** A token could not be obtained for a call: nothing was sent. Carries the token error as `cause`. */
export class TokenUnavailable extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super("no token");
    this.name = "TokenUnavailable";
    this.cause = cause;
  }
}
