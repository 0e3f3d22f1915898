/**
 * Tokens of the user signed in to the Azure CLI, the way the Azure SDKs' `AzureCliCredential` gets them:
 * `az account get-access-token --resource <Defender API> [--tenant <t>] --output json`, run whenever a token
 * is needed. The CLI keeps the sign-in and refresh token in its own cache; we keep the access token in
 * memory only, and never write it anywhere.
 *
 * The command runs with an argument array: no shell parses the tenant or the resource. It runs in its own
 * process group, stopped whole (SIGTERM, then SIGKILL) when it takes too long: see `boundedRun.ts`.
 */

import { azureCliFailure, parseAzureCliOutput } from "./azureCliOutput";
import { boundedRun, DEFAULT_KILL_GRACE_IN_MS } from "./boundedRun";
import type { AcquiredToken } from "./cachingTokenProvider";

/**
 * Default time `az account get-access-token` may take, in (real) milliseconds. The CLI starts Python and
 * may refresh its token over the network; the Azure SDK for Python allows 10 s, cold starts on slow CI
 * machines have been seen to need more.
 */
export const DEFAULT_AZURE_CLI_TIMEOUT_MS = 30_000;

/** Largest output accepted from the CLI, in bytes: a token answer is a few kilobytes. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** How the CLI is run; the defaults are what users get. */
export interface AzureCliRunOptions {
  /**
   * How long one run may take before it is stopped, in real milliseconds (not divided by `mde:timeScale`:
   * the CLI runs in real time).
   * @default DEFAULT_AZURE_CLI_TIMEOUT_MS (30000)
   */
  timeoutMs?: number;
  /**
   * After the timeout, how long the CLI and what it started get to end on SIGTERM before SIGKILL, in real
   * milliseconds. A run never takes longer than `timeoutMs + killGraceInMs` (plus the kernel's time to end
   * killed processes).
   * @default DEFAULT_KILL_GRACE_IN_MS (2000)
   */
  killGraceInMs?: number;
  /**
   * The executable, looked up on PATH when it has no slash.
   * @default "az"
   */
  command?: string;
}

/** Options of {@link createAzureCliAcquire}. */
export interface AzureCliOptions extends AzureCliRunOptions {
  /** The Defender API resource of the configured cloud: its OAuth scope without `/.default`. */
  resource: string;
  /** Passed as `--tenant`; absent means the CLI's current tenant. */
  tenantId?: string;
}

/** The arguments of `az` for one token. */
export function azureCliArgs(options: Pick<AzureCliOptions, "resource" | "tenantId">): string[] {
  return [
    "account",
    "get-access-token",
    "--resource",
    options.resource,
    ...(options.tenantId ? ["--tenant", options.tenantId] : []),
    "--output",
    "json",
  ];
}

/**
 * An `acquire` function for `CachingTokenProvider`: each call runs the CLI once and reads its answer.
 * Caching, sharing one run between concurrent callers and renewing before expiry are the caller's.
 * `forceRefresh` is ignored: the CLI has no such switch, and it hands out a token only while it has more
 * than five minutes left anyway.
 * @throws DefenderError `MDE_AUTH_FAILED` naming the cause (CLI missing, not signed in, timeout, ...)
 */
export function createAzureCliAcquire(
  options: AzureCliOptions,
): (forceRefresh?: boolean) => Promise<AcquiredToken> {
  const command = options.command ?? "az";
  const timeoutMs = options.timeoutMs ?? DEFAULT_AZURE_CLI_TIMEOUT_MS;
  const args = azureCliArgs(options);
  const context = {
    resource: options.resource,
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
  };
  const killGraceInMs = options.killGraceInMs ?? DEFAULT_KILL_GRACE_IN_MS;
  return async () => {
    const run = await boundedRun(command, args, {
      timeoutMs,
      killGraceInMs,
      maxOutputBytes: MAX_OUTPUT_BYTES,
    });
    if (run.exitCode === 0) return parseAzureCliOutput(run.stdout);
    throw azureCliFailure({
      ...context,
      ...(run.errno ? { errno: run.errno } : {}),
      ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
      ...(run.timedOut ? { timedOut: true, timeoutMs } : {}),
      stderr: run.stderr,
    });
  };
}
