/**
 * Identity operations shared by the `Emulator` methods and the admin API: a user's token in the
 * shape `az account get-access-token` prints, and the environment of a GitHub Actions job.
 */
import type { EmulatorContext } from "./context";
import { DEFAULT_GITHUB_SUBJECT, GITHUB_ID_TOKEN_LIFETIME_SECONDS } from "./githubOidc";
import type { GithubActionsEnv, GithubActionsEnvOptions, IssueUserTokenOptions } from "./identityTypes";
import { TOKEN_AUDIENCE } from "./tokenAudience";
import { issueUserToken } from "./userTokens";

/** What `az account get-access-token` prints (Azure CLI 2.54+), for a stand-in `az` to echo. */
export interface AzAccessToken {
  accessToken: string;
  /** Local time, `YYYY-MM-DD HH:MM:SS.ffffff`, as the CLI prints it. */
  expiresOn: string;
  /** Epoch seconds. */
  expires_on: number;
  tenant: string;
  tokenType: "Bearer";
}

/**
 * A delegated token for a registered user, with its expiry.
 * @throws Error when the user is not registered
 */
export function userAccessToken(
  ctx: EmulatorContext,
  options: IssueUserTokenOptions,
  defaultUpn: string,
): AzAccessToken {
  const upn = options.upn ?? defaultUpn;
  const user = ctx.users.find(upn);
  if (!user) throw new Error(`no user ${upn} is registered`);
  const { upn: _upn, ...rest } = options;
  const issued = issueUserToken(ctx, user, rest);
  // As dated in the token: a storage token by the real clock, a Defender token by the emulated one.
  const issuedAtMs = ctx.tokens.issuedAtSeconds(options.audience ?? TOKEN_AUDIENCE) * 1000;
  const expiresMs = issuedAtMs + issued.expiresInSeconds * 1000;
  return {
    accessToken: issued.accessToken,
    expiresOn: azLocalTime(new Date(expiresMs)),
    expires_on: Math.floor(expiresMs / 1000),
    tenant: user.tenantId,
    tokenType: "Bearer",
  };
}

/** Starts an emulated GitHub Actions job and returns the environment its steps see. */
export function githubActionsEnv(
  ctx: EmulatorContext,
  options: GithubActionsEnvOptions = {},
): GithubActionsEnv {
  const requestToken = ctx.github.startJob(
    options.subject ?? options.job ?? DEFAULT_GITHUB_SUBJECT,
    options.idTokenLifetimeSeconds ?? GITHUB_ID_TOKEN_LIFETIME_SECONDS,
  );
  return {
    // @actions/core appends `&audience=...`, so the URL already carries a query.
    ACTIONS_ID_TOKEN_REQUEST_URL: `${ctx.origin}/github/idtoken?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    NODE_EXTRA_CA_CERTS: ctx.caFile,
  };
}

function azLocalTime(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds() * 1000, 6)}`;
}
