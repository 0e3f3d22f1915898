/**
 * What `az account get-access-token --output json` prints, read into a token and its expiry, and what the
 * CLI's failures mean for the person running the deployment. Pure: the process is started in
 * `azureCliAcquire.ts`, so these rules are tested without an `az`.
 */
import { DefenderError } from "../core/errors";
import { jwtExpiryMs } from "../core/jwtClaims";
import { quoteOutside, registerSecret } from "../core/redact";
import type { AcquiredToken } from "./cachingTokenProvider";

/** The Azure CLI's install page, named when `az` is missing. */
export const AZURE_CLI_INSTALL_URL = "https://learn.microsoft.com/cli/azure/install-azure-cli";

/** Why the Azure CLI gave no token, in `DefenderError.details.reason` (stable, for callers and tests). */
export type AzureCliFailureReason =
  | "notFound"
  | "notExecutable"
  | "timeout"
  | "notSignedIn"
  | "unknownResource"
  | "failed"
  | "badOutput";

function authFailed(message: string, reason: AzureCliFailureReason, apiCode?: string): DefenderError {
  // No `cause`: the CLI's output may hold what we must not print, and causes get printed.
  return new DefenderError("MDE_AUTH_FAILED", message, {
    operation: "token",
    details: { reason },
    ...(apiCode ? { apiCode } : {}),
  });
}

/** `expiresOn` as the CLI prints it: local time `YYYY-MM-DD HH:MM:SS[.ffffff]`, no zone. */
function parseLocalTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) {
    // Other CLI versions or wrappers may print an ISO date with a zone.
    const parsed = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? Date.parse(text) : Number.NaN;
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  const [, y, mo, d, h, mi, s, frac = "0"] = m;
  const ms = Math.floor(Number(frac.padEnd(6, "0")) / 1000);
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
}

/**
 * Reads the token and its expiry from the CLI's JSON output. The expiry comes from `expires_on` (epoch
 * seconds, Azure CLI 2.54+), else `expiresOn` (local time), else the token's own `exp` claim. The token is
 * registered for redaction before anything can throw.
 * @throws DefenderError `MDE_AUTH_FAILED` when the output is not what the CLI prints; the output itself
 *   is never quoted (it may hold a token).
 */
export function parseAzureCliOutput(stdout: string): AcquiredToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw authFailed(
      "The Azure CLI's answer to `az account get-access-token --output json` is not JSON (not shown: it may " +
        "hold a token). Check that `az` on PATH is the Azure CLI and that its configured output is not changed " +
        "by a wrapper script.",
      "badOutput",
    );
  }
  const body = (parsed !== null && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
  const token = typeof body.accessToken === "string" ? body.accessToken.trim() : "";
  if (!token) {
    throw authFailed(
      "The Azure CLI answered `az account get-access-token` without an accessToken. Update the Azure CLI " +
        "(`az upgrade`) and run `az account get-access-token` yourself to see what it prints.",
      "badOutput",
    );
  }
  registerSecret(token);

  const epochSeconds =
    typeof body.expires_on === "number"
      ? body.expires_on
      : typeof body.expires_on === "string" && /^\d+$/.test(body.expires_on.trim())
        ? Number(body.expires_on)
        : undefined;
  const expiresOnMs =
    (epochSeconds !== undefined ? epochSeconds * 1000 : undefined) ??
    (typeof body.expiresOn === "string" ? parseLocalTime(body.expiresOn) : undefined) ??
    jwtExpiryMs(token);
  if (expiresOnMs === undefined) {
    throw authFailed(
      "The Azure CLI's token has no readable expiry (neither expires_on, expiresOn nor an exp claim), so it " +
        "cannot be renewed in time. Update the Azure CLI (`az upgrade`).",
      "badOutput",
    );
  }
  return { token, expiresOnMs };
}

/** How a run of `az` failed, as `execFile` reports it. */
export interface AzureCliFailure {
  /** `errno` code of a spawn failure (`ENOENT`, `EACCES`), or of a too-large output. */
  errno?: string;
  /** Exit code, when the CLI ran and failed. */
  exitCode?: number;
  /** True when the CLI was stopped after the timeout. */
  timedOut?: boolean;
  /** The timeout that stopped it, in milliseconds. */
  timeoutMs?: number;
  /** What the CLI printed on stderr. */
  stderr?: string;
  /** The tenant passed as `--tenant`, to name in `az login --tenant`. */
  tenantId?: string;
  /** The resource asked for, to name in the command to try by hand. */
  resource: string;
  /** The platform the provider runs on. @default process.platform */
  platform?: NodeJS.Platform;
}

// Stderr saying that no usable sign-in exists: not signed in, sign-in expired or revoked, MFA or
// conditional access needing an interactive login, or a tenant the account was never signed in to.
const NOT_SIGNED_IN =
  /az login|not logged in|no subscription found|AADSTS(?:50076|50078|50079|50173|700082|70043|70008|530003|53003|50158)\b|interaction_required|refresh token .*expired|re-?authenticate/i;

/**
 * One line of stderr that says what failed (the CLI's `ERROR:` line, else the first that is not a
 * warning), sanitised: the CLI's output may hold a token, wrapped over lines or not.
 */
function quoteStderr(stderr: string | undefined): string {
  const said = quoteOutside(stderr, {
    pick: (lines) => lines.find((l) => /^ERROR:/i.test(l)) ?? lines.find((l) => !/^WARNING:/i.test(l)),
  });
  return said ? ` The Azure CLI said: ${said}` : "";
}

/**
 * The {@link DefenderError} for a failed `az account get-access-token`: names the cause and the command that
 * fixes it. Always `MDE_AUTH_FAILED` without a status: a failing CLI is not retried (running it again gives
 * the same answer until the person acts).
 */
export function azureCliFailure(failure: AzureCliFailure): DefenderError {
  const loginCommand = `az login${failure.tenantId ? ` --tenant ${failure.tenantId}` : ""}`;
  const tryCommand =
    `az account get-access-token --resource ${failure.resource}` +
    (failure.tenantId ? ` --tenant ${failure.tenantId}` : "");
  if (failure.errno === "ENOENT" && (failure.platform ?? process.platform) === "win32") {
    // On Windows `az` is a batch file (az.cmd), which Node runs only through a shell; we use none.
    return authFailed(
      "mde:useAzureCli is not supported on Windows yet: the Azure CLI is a batch file (az.cmd) that cannot be " +
        "started without a shell. Run Pulumi in WSL with the Azure CLI installed there, or pass a token from " +
        `\`${tryCommand} --query accessToken --output tsv\` as mde:accessToken (it is not renewed).`,
      "notFound",
    );
  }
  if (failure.errno === "ENOENT") {
    return authFailed(
      "The Azure CLI (`az`) was not found on the PATH of the Pulumi provider process, and mde:useAzureCli is " +
        `true. Install the Azure CLI (${AZURE_CLI_INSTALL_URL}), sign in with \`${loginCommand}\`, and run ` +
        "Pulumi again from a shell where `az` works; or configure another credential instead of mde:useAzureCli.",
      "notFound",
    );
  }
  if (failure.errno === "EACCES") {
    return authFailed(
      "The Azure CLI (`az`) on PATH cannot be executed (permission denied). Check the installation: " +
        `\`${tryCommand}\` must work in the shell that runs Pulumi.`,
      "notExecutable",
    );
  }
  if (failure.timedOut) {
    const seconds = Math.round((failure.timeoutMs ?? 0) / 1000);
    return authFailed(
      `The Azure CLI did not answer \`az account get-access-token\` within ${seconds} s and was stopped. ` +
        `It may be waiting for input or for the network: run \`${tryCommand}\` yourself to see why.`,
      "timeout",
    );
  }
  if (failure.errno) {
    return authFailed(
      `Running the Azure CLI failed (${failure.errno}). Run \`${tryCommand}\` yourself to see why.`,
      "failed",
    );
  }
  const said = quoteStderr(failure.stderr);
  if (NOT_SIGNED_IN.test(failure.stderr ?? "")) {
    return authFailed(
      "You are not signed in to the Azure CLI, or your sign-in expired or needs to be renewed " +
        `interactively. Run \`${loginCommand}\` as the responder who runs this runbook, then run Pulumi again.${said}`,
      "notSignedIn",
    );
  }
  if (/AADSTS500011\b/.test(failure.stderr ?? "")) {
    return authFailed(
      `The Defender API resource ${failure.resource} is not known in the signed-in tenant: check mde:cloud ` +
        `and mde:tenantId, and that Defender for Endpoint is provisioned in that tenant.${said}`,
      "unknownResource",
      "AADSTS500011",
    );
  }
  return authFailed(
    `\`az account get-access-token\` failed${failure.exitCode !== undefined ? ` (exit code ${failure.exitCode})` : ""}. ` +
      `Run \`${tryCommand}\` yourself to see why; \`${loginCommand}\` signs in again.${said}`,
    "failed",
  );
}
