/**
 * Messages a provider shows in the engine's output (`pulumi up` prints them under the resource, like the
 * engine's own warnings), for what a user must see even when nothing fails: a take-over of an action this
 * deployment did not post. The dynamic-provider host is started with the engine's address as its first
 * argument; the message goes to the engine's `Log` call over that connection. Best effort: a message that
 * cannot be delivered is dropped, never a failure of the operation.
 */
import path from "node:path";

/** Bound on delivering one message, in milliseconds. */
export const ENGINE_LOG_TIMEOUT_MS = 5_000;

interface EngineClientLike {
  log(request: unknown, callback: (error: Error | null) => void): void;
  close(): void;
}

let client: EngineClientLike | undefined | null;

/** The engine's Log client of this provider process, or null when it is not one (tests, programs). */
function engineClient(): EngineClientLike | null {
  if (client !== undefined) return client;
  client = null;
  const address = process.argv[2];
  if (!address || !/^[\w.[\]:-]+:\d+$/.test(address)) return client;
  try {
    // The SDK's own generated client and the gRPC library it was generated for (resolved from it).
    const services = require("@pulumi/pulumi/proto/engine_grpc_pb") as {
      EngineClient: new (address: string, credentials: unknown) => EngineClientLike;
    };
    const grpcPath = require.resolve("@grpc/grpc-js", {
      paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))],
    });
    const grpc = require(grpcPath) as { credentials: { createInsecure(): unknown } };
    client = new services.EngineClient(address, grpc.credentials.createInsecure());
  } catch {
    client = null;
  }
  return client;
}

/**
 * Shows `message` as a warning in the engine's output, attached to the resource `urn` when given.
 * Resolves when delivered, dropped, or after {@link ENGINE_LOG_TIMEOUT_MS}.
 */
export function warnInEngineOutput(message: string, urn?: string): Promise<void> {
  const engine = engineClient();
  if (!engine) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ENGINE_LOG_TIMEOUT_MS);
    timer.unref();
    try {
      const messages = require("@pulumi/pulumi/proto/engine_pb") as {
        LogRequest: new () => {
          setSeverity(v: number): void;
          setMessage(v: string): void;
          setUrn(v: string): void;
        };
        LogSeverity: { WARNING: number };
      };
      const request = new messages.LogRequest();
      request.setSeverity(messages.LogSeverity.WARNING);
      request.setMessage(message);
      if (urn) request.setUrn(urn);
      engine.log(request, () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * The URN of a top-level resource of this package, from what its inputs record: `project/stack`, the
 * resource type and its name. Undefined when they are unknown; a resource with a parent has another URN,
 * and the engine then shows the message without attaching it.
 */
export function topLevelUrn(
  pulumiStack: string | undefined,
  type: string,
  name: string | undefined,
): string | undefined {
  if (!pulumiStack || !name) return undefined;
  const slash = pulumiStack.indexOf("/");
  if (slash < 0) return undefined;
  const project = pulumiStack.slice(0, slash);
  const stack = pulumiStack.slice(slash + 1);
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/**
 * A notice callback for the client (e.g. a long wait for the quota) that shows each line in the engine's
 * output under the resource `className` named `resourceName` of `pulumiStack`.
 */
export function engineNotice(
  className: string,
  inputs: { pulumiStack?: string | undefined; resourceName?: string | undefined },
): (line: string) => void {
  const urn = topLevelUrn(inputs.pulumiStack, `pulumi-nodejs:dynamic/mde:${className}`, inputs.resourceName);
  return (line) => {
    void warnInEngineOutput(line, urn);
  };
}
