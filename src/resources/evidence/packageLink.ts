/**
 * The short-lived package link of one transfer: fetched when first needed (right before the bytes flow),
 * kept while it works, replaced when the download host refuses it (an expired link answers 403
 * AuthenticationFailed), a bounded number of times. Each fetch is one GetPackageUri call in the link
 * budget. The link is a bearer secret: it stays in this object and is shown nowhere.
 */
import type { DefenderError } from "../../core/errors";
import { StopRetrying } from "../../retry/retryLoop";
import { EvidenceError } from "./evidenceError";

/** Default of the number of fresh links fetched after the first was refused. */
export const MAX_LINK_RENEWALS = 3;

/** The link of one transfer. */
export class PackageLink {
  private link: string | undefined;
  private renewals = 0;
  /** GetPackageUri calls made. */
  requests = 0;

  /**
   * @param fetchLink - One GetPackageUri call (retried inside the client on 429 and 5xx).
   * @param maxRenewals - Fresh links allowed after the first was refused.
   */
  constructor(
    private readonly fetchLink: () => Promise<string>,
    private readonly maxRenewals: number = MAX_LINK_RENEWALS,
  ) {}

  /**
   * The link to use now, fetched if there is none.
   * @throws StopRetrying with the fetch's error: it was retried already, what comes out is final.
   */
  async current(): Promise<string> {
    if (this.link) return this.link;
    try {
      this.link = await this.fetchLink();
    } catch (error) {
      throw new StopRetrying(error);
    }
    this.requests++;
    return this.link;
  }

  /**
   * The host refused the link (`error`, a 403): the next {@link current} fetches a fresh one.
   * @throws EvidenceError `MDE_PACKAGE_LINK_UNAVAILABLE` once the renewals are spent.
   */
  refused(error: DefenderError): void {
    if (this.renewals >= this.maxRenewals) {
      throw new EvidenceError(
        "MDE_PACKAGE_LINK_UNAVAILABLE",
        `The download host refused ${this.renewals + 1} package links in a row (${error.apiCode ?? "403"}). Links are short-lived: check that the clock of this machine is right and that no proxy holds requests back, then run \`pulumi up\` again.`,
        { cause: error },
      );
    }
    this.renewals++;
    this.link = undefined;
  }
}
