/**
 * Package download links in the style of an Azure Blob SAS URL: the query carries the expiry
 * (`se`) and an HMAC signature (`sig`) over the action id and expiry, so the link alone
 * authorizes the download, exactly as the real short-lived storage link does.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Path prefix of download links. */
export const PACKAGE_PATH_PREFIX = "/investigation-packages/";

/** Path prefix of live response result links. */
export const RESULT_PATH_PREFIX = "/live-response-results/";

/** Why a link was refused. */
export type LinkCheck =
  | { ok: true; actionId: string }
  | { ok: false; reason: "expired" | "signature" | "malformed" };

/** Signs and checks download links. */
export class PackageLinkSigner {
  private readonly key = randomBytes(32);

  /** A link to the package of `actionId` valid until `expiresMs` (epoch ms). */
  create(origin: string, actionId: string, expiresMs: number): string {
    const se = new Date(expiresMs).toISOString();
    const params = new URLSearchParams({
      sv: "2021-08-06",
      sr: "b",
      sp: "r",
      se,
      sig: this.sign(actionId, se),
    });
    return `${origin}${PACKAGE_PATH_PREFIX}${actionId}.zip?${params.toString()}`;
  }

  /** Checks a request path+query against the signature and `nowMs`. */
  check(pathname: string, query: URLSearchParams, nowMs: number): LinkCheck {
    const match = /^\/investigation-packages\/([0-9a-fA-F-]{36})\.zip$/.exec(pathname);
    const se = query.get("se");
    const sig = query.get("sig");
    if (!match?.[1] || !se || !sig) return { ok: false, reason: "malformed" };
    const actionId = match[1].toLowerCase();
    const expected = Buffer.from(this.sign(actionId, se));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: "signature" };
    if (!(Date.parse(se) > nowMs)) return { ok: false, reason: "expired" };
    return { ok: true, actionId };
  }

  /** A link to the result of command `index` of live response action `actionId`, valid until `expiresMs`. */
  createResultLink(origin: string, actionId: string, index: number, expiresMs: number): string {
    const se = new Date(expiresMs).toISOString();
    // Another subject than a package's, so a package signature never opens a result.
    const sig = this.sign(`${actionId.toLowerCase()}/result/${index}`, se);
    const params = new URLSearchParams({ sv: "2021-08-06", sr: "b", sp: "r", se, sig });
    return `${origin}${RESULT_PATH_PREFIX}${actionId}/${index}?${params.toString()}`;
  }

  /** Checks a result link's path+query against its signature and `nowMs`. */
  checkResultLink(
    pathname: string,
    query: URLSearchParams,
    nowMs: number,
  ):
    | { ok: true; actionId: string; index: number }
    | { ok: false; reason: "expired" | "signature" | "malformed" } {
    const match = /^\/live-response-results\/([0-9a-fA-F-]{36})\/(\d{1,6})$/.exec(pathname);
    const se = query.get("se");
    const sig = query.get("sig");
    if (!match?.[1] || !match[2] || !se || !sig) return { ok: false, reason: "malformed" };
    const actionId = match[1].toLowerCase();
    const index = Number(match[2]);
    const expected = Buffer.from(this.sign(`${actionId}/result/${index}`, se));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: "signature" };
    if (!(Date.parse(se) > nowMs)) return { ok: false, reason: "expired" };
    return { ok: true, actionId, index };
  }

  private sign(actionId: string, se: string): string {
    return createHmac("sha256", this.key).update(`${actionId.toLowerCase()}\n${se}`).digest("base64");
  }
}
