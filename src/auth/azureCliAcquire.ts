/**
 * Tokens of the user signed in to the Azure CLI, the way the Azure SDKs' `AzureCliCredential` gets them:
 * `az account get-access-token --resource <Defender API> [--tenant <t>] --output json`, run whenever a token
 * is needed. The CLI keeps the sign-in and refresh token in its own cache; we keep the access token in
 * memory only, and never write it anywhere.
 *
 * The command runs through `execFile` with an argument array: no shell parses the tenant or the resource.
 */
import { execFile } from "node:child_process";
import { azureCliFailure, parseAzureCliOutput } from "./azureCliOutput";
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
  return () =>
    new Promise<AcquiredToken>((resolve, reject) => {
      execFile(
        command,
        args,
        { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: "utf8" },
        (error, stdout, stderr) => {
          if (!error) {
            try {
              resolve(parseAzureCliOutput(stdout));
            } catch (e) {
              reject(e);
            }
            return;
          }
          // Spawn failures carry a string `code` (ENOENT); a failed run a numeric exit code; a run stopped
          // after the timeout `killed` with a signal.
          const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: unknown };
          const errno = typeof e.code === "string" ? e.code : undefined;
          const timedOut = e.killed === true && errno === undefined;
          reject(
            azureCliFailure({
              ...context,
              ...(errno ? { errno } : {}),
              ...(typeof e.code === "number" ? { exitCode: e.code } : {}),
              ...(timedOut ? { timedOut, timeoutMs } : {}),
              stderr: String(stderr ?? ""),
            }),
          );
        },
      );
    });
}
