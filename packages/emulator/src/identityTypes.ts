/**
 * Public types of the identities beyond registered apps: users who get delegated tokens (a
 * responder signed in with the Azure CLI) and the GitHub Actions OIDC token service.
 * Imports nothing, so types.ts can depend on it without cycles.
 */

/** Registration of a user of the emulated tenant. */
export interface UserRegistrationInput {
  /** User principal name, e.g. `responder@contoso.com` (matched case-insensitively). */
  upn: string;
  /** Entra object id (`oid`). @default a GUID derived from the UPN */
  objectId?: string;
  /** @default the default app's tenant */
  tenantId?: string;
  /** @default the UPN's local part */
  displayName?: string;
  /** For the password grant (ROPC). @default a generated password */
  password?: string;
  /**
   * Defender role permissions, as in a Defender role or a custom role, e.g. `["View data",
   * "Alerts investigation"]` or `["Collect investigation package"]` (case-insensitive; `"X - Y"`
   * counts as `"X"`). @default `FULL_ACCESS_PERMISSIONS`
   */
  rolePermissions?: string[];
  /** Device groups (`rbacGroupId`) the user may see and act on. @default "all" */
  rbacGroupIds?: number[] | "all";
  /**
   * Delegated permissions consented for the user's client (the Azure CLI): they become the
   * token's `scp`. @default `DEFAULT_USER_SCOPES` (Machine.CollectForensics Machine.Read Machine.ReadWrite)
   */
  scopes?: string[];
}

/** A registered user, with defaults resolved. */
export interface UserRegistration {
  readonly upn: string;
  readonly objectId: string;
  readonly tenantId: string;
  readonly displayName: string;
  readonly password: string;
  readonly rolePermissions: readonly string[];
  readonly rbacGroupIds: readonly number[] | "all";
  readonly scopes: readonly string[];
}

/** Options of `Emulator.issueUserToken`. */
export interface IssueUserTokenOptions {
  /** The user; must be registered. @default the default user */
  upn?: string;
  /** Emulated seconds; zero or negative gives an expired token. @default the configured token lifetime */
  lifetimeSeconds?: number;
  /** The `scp` claim. @default the user's consented scopes; `user_impersonation` for a storage token */
  scopes?: string[];
  /** `https://storage.azure.com` (`STORAGE_AUDIENCE`) mints a storage token. @default "https://api.securitycenter.microsoft.com" */
  audience?: string;
  /** Client the user signed in with (`appid`). @default the Azure CLI, `AZURE_CLI_CLIENT_ID` */
  clientId?: string;
}

/**
 * A GitHub Actions job as its workflow declares it: what GitHub's ID token says about it. Its
 * subject is the one Entra ID's federated credential must name.
 */
export interface GithubJob {
  /** `owner/name`. */
  repository: string;
  /** The triggering event, e.g. `push`, `pull_request`, `workflow_dispatch`. */
  eventName: string;
  /** The ref the job runs on, e.g. `refs/heads/main`; for `pull_request`, `refs/pull/<n>/merge`. */
  ref: string;
  /** The job's `environment:`, when it declares one. */
  environment?: string;
}

/** Options of `Emulator.githubActionsEnv`. */
export interface GithubActionsEnvOptions {
  /** `sub` of the ID tokens. @default from `job`, else `DEFAULT_GITHUB_SUBJECT` (`repo:contoso/incident-response:ref:refs/heads/main`) */
  subject?: string;
  /**
   * The job as its workflow declares it: its ID tokens carry the subject GitHub derives for it
   * (`githubSubject`: the environment when it declares one) and its claims. Ignored when `subject` is given.
   */
  job?: GithubJob;
  /** ID token lifetime in emulated seconds. @default 300 (`GITHUB_ID_TOKEN_LIFETIME_SECONDS`) */
  idTokenLifetimeSeconds?: number;
}

/** What a GitHub Actions job with `permissions: id-token: write` sees, plus the emulator's CA. */
export interface GithubActionsEnv {
  /** GET it with `&audience=...` and `Authorization: Bearer <request token>` to get `{"value": "<jwt>"}`. */
  ACTIONS_ID_TOKEN_REQUEST_URL: string;
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: string;
  NODE_EXTRA_CA_CERTS: string;
}
