/**
 * A dispatcher that sends requests for loopback origins directly and everything else through the
 * proxy dispatcher: `NO_PROXY` cannot express 127.0.0.0/8, and a token must never be handed to a proxy
 * on its way to this machine.
 */
import { Dispatcher } from "undici";
import { isLoopbackHost } from "../core/loopback";

/** Routes by the request's origin: loopback → `direct`, anything else → `proxied`. */
export class LoopbackBypass extends Dispatcher {
  constructor(
    private readonly direct: Dispatcher,
    private readonly proxied: Dispatcher,
  ) {
    super();
  }

  /** Which dispatcher serves `origin`. */
  route(origin: string | URL | undefined): Dispatcher {
    if (origin === undefined) return this.proxied;
    const host = (typeof origin === "string" ? new URL(origin) : origin).hostname;
    return isLoopbackHost(host) ? this.direct : this.proxied;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.route(options.origin).dispatch(options, handler);
  }

  // Dispatcher declares close/destroy with callback and promise overloads; the provider only awaits them.
  // biome-ignore lint/suspicious/noExplicitAny: one implementation for every overload.
  override close(...args: any[]): any {
    const done = Promise.all([this.direct.close(), this.proxied.close()]).then(() => undefined);
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    if (callback) void done.then(callback);
    else return done;
  }

  // biome-ignore lint/suspicious/noExplicitAny: one implementation for every overload.
  override destroy(...args: any[]): any {
    const error = args.find((a) => a instanceof Error) ?? null;
    const done = Promise.all([this.direct.destroy(error), this.proxied.destroy(error)]).then(() => undefined);
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    if (callback) void done.then(callback);
    else return done;
  }
}
