/**
 * Fails at load, with a message that says what to do, on a Node.js too old for the provider's HTTP
 * client: undici 8 needs Node 22.19 or later and otherwise dies deep inside with
 * "Cannot read properties of undefined (reading 'bind')". Imported first by the provider's entry.
 * It imports only modules that load on any Node.js (no HTTP client).
 */
import { DefenderError } from "../core/errors";
import { userMessage } from "../core/userMessage";
import { quietHostEcho } from "../resources/shared/hostEcho";

/** Lowest Node.js version the provider runs on. */
export const MINIMUM_NODE_VERSION = "22.19.0";

/** True when `version` (e.g. `v20.20.2` or `22.19.0`) is at least `minimum`. */
export function isAtLeast(version: string, minimum: string): boolean {
  const parse = (v: string) =>
    v
      .replace(/^v/, "")
      .split(".")
      .map((n) => Number.parseInt(n, 10) || 0);
  const [a, b] = [parse(version), parse(minimum)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The error for a Node.js older than {@link MINIMUM_NODE_VERSION}: one paragraph, code at the end. */
export function nodeUnsupported(version: string, execPath: string): DefenderError {
  const code = "MDE_NODE_UNSUPPORTED";
  return new DefenderError(
    code,
    userMessage(
      `pulumi-mde needs Node.js ${MINIMUM_NODE_VERSION} or later to run its provider; this is Node.js ${version} ` +
        `(${execPath}). The provider runs on the \`node\` first on PATH when Pulumi starts it: install Node.js 22 LTS ` +
        "or 24 LTS and put it first on PATH (e.g. `nvm use 24`), then run the command again.",
      code,
    ),
  );
}

if (!isAtLeast(process.versions.node, MINIMUM_NODE_VERSION)) {
  // Shown once, by the engine, without a stack (the provider host would print it a second time).
  throw quietHostEcho(nodeUnsupported(process.versions.node, process.execPath));
}
