/**
 * Caching and single-flight around an `acquire` function, shared by every credential kind that can
 * obtain new tokens. Concurrent callers share one token request (MSAL alone would send one per caller on
 * an empty cache), and a token is reused until less than the margin is left.
 */
import { DefenderError } from "../core/errors";
import { withAbort } from "../core/sleep";
import { withRetries } from "../retry/retryLoop";
import type { RetryOptions } from "../retry/retryStrategy";
import type { CredentialKind } from "../settings/credentials";
import type { GetTokenOptions, TokenProvider } from "./tokenProvider";

interface CachedToken {
  token: string;
  refreshAtMs: number;
}

/** A token and when it expires, as an `acquire` function returns it. */
export interface AcquiredToken {
  /** The bearer token. */
  token: string;
  /** Expiry, epoch milliseconds. */
  expiresOnMs: number;
}

/** Options of {@link CachingTokenProvider}. */
export interface CachingTokenProviderOptions {
  /** Renew when less than this is left, in milliseconds. */
  marginMs: number;
  /** Clock, epoch milliseconds. */
  now: () => number;
  /** Retry tuning for transient token endpoint failures. */
  retry: RetryOptions;
  /** Receives one line per retry. */
  log?: (line: string) => void;
}

/** A {@link TokenProvider} that obtains tokens with `acquire`, caches them and shares requests in flight. */
export class CachingTokenProvider implements TokenProvider {
  readonly canRefresh = true;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private forceRefresh = false;

  constructor(
    readonly kind: CredentialKind,
    private readonly acquire: (forceRefresh: boolean) => Promise<AcquiredToken>,
    private readonly options: CachingTokenProviderOptions,
  ) {}

  /**
   * `acquire` with retries of transient failures (token endpoint 429/5xx, resets, timeouts), by the
   * rules reads follow: asking for a token again is harmless, it only issues another token. Refusals
   * (wrong secret, unknown app, unreadable certificate, DNS or TLS failure) are reported at once.
   */
  private acquireWithRetries(force: boolean): Promise<AcquiredToken> {
    return withRetries(() => this.acquire(force), {
      label: "token",
      method: "GET",
      retry: this.options.retry,
      ...(this.options.log ? { log: this.options.log } : {}),
      toError: (e) => (e instanceof DefenderError ? e : undefined),
    });
  }

  getToken(options: GetTokenOptions = {}): Promise<string> {
    const nowMs = this.options.now();
    if (this.cached && nowMs < this.cached.refreshAtMs) return Promise.resolve(this.cached.token);
    if (!this.inflight) {
      const force = this.forceRefresh;
      this.forceRefresh = false;
      this.inflight = this.acquireWithRetries(force)
        .then(({ token, expiresOnMs }) => {
          const issuedAt = this.options.now();
          // A token shorter-lived than twice the margin (emulator) is reused for half its life instead.
          const margin = Math.min(this.options.marginMs, Math.max(0, (expiresOnMs - issuedAt) / 2));
          this.cached = { token, refreshAtMs: expiresOnMs - margin };
          return token;
        })
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return withAbort(
      this.inflight,
      options.signal,
      "The operation was aborted while waiting for an access token.",
    );
  }

  invalidate(refused?: string): void {
    if (refused !== undefined && this.cached !== undefined && this.cached.token !== refused) return;
    if (refused !== undefined && this.cached === undefined && this.inflight !== undefined) return;
    this.cached = undefined;
    this.forceRefresh = true;
  }
}
