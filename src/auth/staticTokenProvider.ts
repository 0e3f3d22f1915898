/**
 * A bearer token obtained elsewhere (`mde:accessToken`): used as is until it expires, never renewed.
 */
import { DefenderError } from "../core/errors";
import { jwtExpiryMs } from "../core/jwtClaims";
import type { TokenProvider } from "./tokenProvider";

/** A {@link TokenProvider} of one static token. */
export class StaticTokenProvider implements TokenProvider {
  readonly kind = "accessToken" as const;
  readonly canRefresh = false;

  constructor(
    private readonly token: string,
    private readonly now: () => number,
  ) {}

  async getToken(): Promise<string> {
    const exp = jwtExpiryMs(this.token);
    if (exp !== undefined && exp <= this.now()) {
      throw new DefenderError(
        "MDE_AUTH_FAILED",
        `The static access token (mde:accessToken / MDE_ACCESS_TOKEN) expired at ${new Date(exp).toISOString()}. ` +
          "Obtain a new one, e.g. `az account get-access-token --resource https://api.securitycenter.microsoft.com`, " +
          "or configure a client credential so tokens are renewed automatically.",
        { operation: "token" },
      );
    }
    return this.token;
  }

  invalidate(_refused?: string): void {
    // Nothing to renew: the caller reports the 401.
  }
}
