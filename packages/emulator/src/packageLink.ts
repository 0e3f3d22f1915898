/**
 * Package download links in the style of an Azure Blob SAS URL: the query carries the expiry
 * (`se`) and an HMAC signature (`sig`) over the action id and expiry, so the link alone
 * authorizes the download, exactly as the real short-lived storage link does.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Path prefix of download links. */
export const PACKAGE_PATH_PREFIX = "/investigation-packages/";

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

  private sign(actionId: string, se: string): string {
    return createHmac("sha256", this.key).update(`${actionId.toLowerCase()}\n${se}`).digest("base64");
  }
}
