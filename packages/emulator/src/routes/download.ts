/**
 * The package download behind a GetPackageUri link. It answers like Azure Blob Storage, which
 * serves the real links: 403 AuthenticationFailed (XML) for an expired or tampered link,
 * 404 BlobNotFound for a package that does not exist.
 */
import { createHash, randomUUID } from "node:crypto";
import type { EmulatorContext, RouteRequest } from "../context";
import type { HandlerResult } from "../http";
import { buildInvestigationPackage } from "../packageZip";

function storageError(status: number, code: string, message: string, detail?: string): HandlerResult {
  const requestId = randomUUID();
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message>${detail ? `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail>` : ""}</Error>`;
  return {
    status,
    headers: {
      "Content-Type": "application/xml",
      "x-ms-request-id": requestId,
      "x-ms-error-code": code,
    },
    raw: Buffer.from(xml, "utf8"),
    errorCode: code,
  };
}

const AUTH_FAILED =
  "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.";

/** Packages already built, by action id: they never change. */
const packageCache = new WeakMap<EmulatorContext, Map<string, Buffer>>();

/** `GET /investigation-packages/{actionId}.zip?...&se=...&sig=...`. */
export function handleDownload(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const check = ctx.links.check(req.url.pathname, req.url.searchParams, ctx.clock.nowMs());
  if (!check.ok) {
    const detail =
      check.reason === "expired"
        ? `Signed expiry time [${req.url.searchParams.get("se") ?? ""}] must be after current time [${new Date(ctx.clock.nowMs()).toUTCString()}]`
        : "Signature did not match.";
    return storageError(403, "AuthenticationFailed", AUTH_FAILED, detail);
  }
  const entry = ctx.store.get(check.actionId);
  if (!entry) return storageError(404, "BlobNotFound", "The specified blob does not exist.");
  let cache = packageCache.get(ctx);
  if (!cache) {
    cache = new Map();
    packageCache.set(ctx, cache);
  }
  let zip = cache.get(entry.id);
  if (!zip) {
    zip = buildInvestigationPackage({
      actionId: entry.id,
      machineId: entry.machineId,
      computerDnsName: entry.computerDnsName,
      osPlatform: entry.osPlatform,
      paddingBytes: ctx.settings.packagePaddingBytes,
    });
    cache.set(entry.id, zip);
  }
  return {
    status: 200,
    headers: {
      "Content-Type": "application/zip",
      "Content-MD5": createHash("md5").update(zip).digest("base64"),
      ETag: `"0x${createHash("sha1").update(zip).digest("hex").slice(0, 16).toUpperCase()}"`,
      "x-ms-blob-type": "BlockBlob",
      "Content-Disposition": `attachment; filename="${entry.id}.zip"`,
    },
    raw: zip,
  };
}
