/**
 * The GitHub Actions OIDC token service a runner offers a job (`ACTIONS_ID_TOKEN_REQUEST_URL`):
 * with the job's request token it hands out ID tokens from `https://token.actions.githubusercontent.com`
 * that Entra exchanges for an access token through a federated credential. The emulator signs
 * them with its own key, which the token endpoint trusts for apps registered with that issuer
 * and no `jwksPem`.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "./clock";
import type { GithubJob } from "./identityTypes";
import { signJwtRs256 } from "./jwt";

/** Issuer of GitHub Actions ID tokens. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/** `sub` of ID tokens when the test names none: a workflow on the main branch. */
export const DEFAULT_GITHUB_SUBJECT = "repo:contoso/incident-response:ref:refs/heads/main";

/** Lifetime of an ID token, in emulated seconds (GitHub's documented example token lives 5 minutes). */
export const GITHUB_ID_TOKEN_LIFETIME_SECONDS = 300;

interface JobGrant {
  subject: string;
  lifetimeSeconds: number;
  /** Claims of the job when it was described, not derived from a subject. */
  claims?: Record<string, string>;
}

/**
 * The `sub` GitHub puts in the job's ID token (default subject template): the environment when the
 * job declares one, else `pull_request` for pull-request events, else the ref.
 */
export function githubSubject(job: GithubJob): string {
  if (job.environment) return `repo:${job.repository}:environment:${job.environment}`;
  if (job.eventName === "pull_request" || job.eventName === "pull_request_target")
    return `repo:${job.repository}:pull_request`;
  return `repo:${job.repository}:ref:${job.ref}`;
}

/** The context claims GitHub puts beside `sub` for `job`. */
function jobClaims(job: GithubJob): Record<string, string> {
  return {
    repository: job.repository,
    event_name: job.eventName,
    ref: job.ref,
    ref_type: job.ref.startsWith("refs/tags/") ? "tag" : "branch",
    ...(job.environment ? { environment: job.environment } : {}),
  };
}

/** Request tokens of emulated jobs and the ID tokens they get. */
export class GithubOidcService {
  private readonly privateKey: KeyObject;
  /** Verifies the ID tokens this service signs. */
  readonly publicKey: KeyObject;
  private readonly keyId: string;
  private readonly jobs = new Map<string, JobGrant>();

  constructor(private readonly clock: Clock) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.keyId = createHash("sha256")
      .update(pair.publicKey.export({ type: "spki", format: "der" }))
      .digest("hex")
      .slice(0, 40);
  }

  /**
   * Starts an emulated job whose ID tokens name `job`'s subject (as GitHub derives it), or `job`
   * itself when it is a subject; returns its request token.
   */
  startJob(job: string | GithubJob, lifetimeSeconds: number = GITHUB_ID_TOKEN_LIFETIME_SECONDS): string {
    const requestToken = randomBytes(32).toString("base64url");
    this.jobs.set(
      requestToken,
      typeof job === "string"
        ? { subject: job, lifetimeSeconds }
        : { subject: githubSubject(job), lifetimeSeconds, claims: jobClaims(job) },
    );
    return requestToken;
  }

  /**
   * The ID token for the job holding `requestToken`, or undefined when no job holds it.
   * @param audience - `aud`; GitHub's default is the URL of the repository owner
   */
  idToken(requestToken: string, audience: string | null): string | undefined {
    const job = this.jobs.get(requestToken);
    if (!job) return undefined;
    const now = Math.floor(this.clock.nowMs() / 1000);
    const lifetime = Math.max(1, Math.ceil(this.clock.realMs(job.lifetimeSeconds) / 1000));
    const context = job.claims ?? subjectClaims(job.subject);
    const owner = (context.repository ?? "contoso/incident-response").split("/")[0];
    return signJwtRs256(
      {
        jti: randomUUID(),
        sub: job.subject,
        aud: audience ?? `https://github.com/${owner}`,
        event_name: "workflow_dispatch",
        ...context,
        repository_owner: owner,
        run_id: String(1_000_000 + this.jobs.size),
        run_attempt: "1",
        runner_environment: "github-hosted",
        iss: GITHUB_ACTIONS_ISSUER,
        nbf: now,
        iat: now,
        exp: now + lifetime,
      },
      this.privateKey,
      { kid: this.keyId, x5t: this.keyId },
    );
  }

  /** The verification key of `issuer` when this service plays it. */
  keyFor(issuer: string): KeyObject | undefined {
    return issuer === GITHUB_ACTIONS_ISSUER ? this.publicKey : undefined;
  }
}

/** Claims GitHub derives from the parts of a subject such as `repo:o/r:ref:refs/heads/main`. */
function subjectClaims(subject: string): Record<string, string> {
  const claims: Record<string, string> = {};
  const match = /^repo:([^:]+)(?::(.*))?$/.exec(subject);
  if (!match) return claims;
  claims.repository = match[1] ?? "";
  const rest = match[2] ?? "";
  if (rest.startsWith("ref:")) {
    claims.ref = rest.slice(4);
    claims.ref_type = rest.startsWith("ref:refs/tags/") ? "tag" : "branch";
  } else if (rest.startsWith("environment:")) {
    claims.environment = rest.slice("environment:".length);
  } else if (rest === "pull_request") {
    claims.event_name = "pull_request";
  }
  return claims;
}
