/**
 * The longest request URL the emulator accepts. Microsoft documents no URL or query length
 * limit for the Defender API; the emulator refuses URLs beyond a generous bound with 414 and the
 * HTML page Windows HTTP.sys sends for one, so a client that builds ever longer `$filter`
 * chains learns to split them here rather than in production.
 */
import type { HandlerResult } from "./http";

/** Default of `maxUrlBytes`: 16 KiB of path and query, as sent on the request line. */
export const DEFAULT_MAX_URL_BYTES = 16_384;

/**
 * Node refuses request heads beyond its own limit (16 KiB by default) with 431 before any
 * handler runs; the server allows this much more than `maxUrlBytes` so the 414 is ours.
 */
export const HEADER_ALLOWANCE_BYTES = 32_768;

const PAGE = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">
<HTML><HEAD><TITLE>Request URL Too Long</TITLE>
<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>
<BODY><h2>Request URL Too Long</h2>
<hr><p>HTTP Error 414. The request URL is too long.</p>
</BODY></HTML>
`;

/** The 414 answer, with HTTP.sys's `Server` header and page. */
export function urlTooLongResult(): HandlerResult {
  return {
    status: 414,
    headers: { "Content-Type": "text/html; charset=us-ascii", Server: "Microsoft-HTTPAPI/2.0" },
    raw: Buffer.from(PAGE, "ascii"),
    errorCode: "UrlTooLong",
  };
}
