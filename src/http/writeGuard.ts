/**
 * A check run at the last moment before a request's bytes are written to its connection: undici calls a
 * handler's `onRequestStart` synchronously just before it writes the request, and a throw there fails
 * the request unsent. Checks made earlier (before the rate limiter lets a call go, before its token is
 * read) leave every `await` of the way down as a gap in which the world can change.
 */
import type { Dispatcher } from "undici";

/**
 * `dispatcher` with `check` run right before each request is written. A throw from `check` fails the
 * request with that error and nothing is sent.
 */
export function guardedDispatcher(dispatcher: Dispatcher, check: () => void): Dispatcher {
  return dispatcher.compose(
    (dispatch) => (options, handler) =>
      dispatch(
        options,
        // A proxy, not a copy: the handler keeps its own fields and methods; only its start is watched.
        new Proxy(handler, {
          get(target, property) {
            const value = Reflect.get(target, property, target) as unknown;
            if (property === "onRequestStart" && typeof value === "function") {
              return (...args: unknown[]) => {
                check();
                return (value as (...a: unknown[]) => unknown).apply(target, args);
              };
            }
            return typeof value === "function" ? value.bind(target) : value;
          },
        }),
      ),
  );
}
