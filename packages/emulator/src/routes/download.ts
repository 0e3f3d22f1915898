/**
 * The package download behind a GetPackageUri link. It answers like Azure Blob Storage, which
 * serves the real links: 403 AuthenticationFailed (XML) for an expired or tampered link,
 * 404 BlobNotFound for a package that does not exist, single byte ranges with 206, 416
 * InvalidRange. The link alone authorizes (like a SAS): an Authorization header is neither
 * needed nor checked, only recorded.
 */
import { decideByteRange, ifRangeMatches } from "../byteRange";
import type { EmulatorContext, RouteRequest } from "../context";
import type { HandlerResult } from "../http";
import { StorageErrorFactory } from "../storageErrors";

function header(req: RouteRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** `GET /investigation-packages/{actionId}.zip?...&se=...&sig=...`. */
export async function handleDownload(ctx: EmulatorContext, req: RouteRequest): Promise<HandlerResult> {
  const check = ctx.links.check(req.url.pathname, req.url.searchParams, ctx.clock.nowMs());
  if (!check.ok) {
    return check.reason === "expired"
      ? StorageErrorFactory.linkExpired(req.url.searchParams.get("se") ?? "", ctx.clock.nowMs())
      : StorageErrorFactory.signatureMismatch();
  }
  const entry = ctx.store.get(check.actionId);
  if (!entry) return StorageErrorFactory.blobNotFound();
  const blob = await ctx.packages.open(entry);
  const md5 = await blob.contentMd5();
  const headers: Record<string, string> = {
    "Content-Type": "application/zip",
    ETag: blob.etag,
    "x-ms-blob-type": "BlockBlob",
    "Content-Disposition": `attachment; filename="${entry.id}.zip"`,
  };
  const ranges = ctx.settings.downloadRanges;
  if (ranges) headers["Accept-Ranges"] = "bytes";
  const decision =
    ranges && ifRangeMatches(header(req, "if-range"), blob.etag)
      ? decideByteRange(header(req, "range"), blob.size)
      : { kind: "full" as const };
  if (decision.kind === "unsatisfiable") return StorageErrorFactory.invalidRange(blob.size);
  if (decision.kind === "partial") {
    const { start, end } = decision;
    // Blob Storage sends the whole blob's MD5 under another name on a range read.
    if (md5) headers["x-ms-blob-content-md5"] = md5;
    headers["Content-Range"] = `bytes ${start}-${end}/${blob.size}`;
    headers["Content-Length"] = String(end - start + 1);
    return { status: 206, headers, stream: () => blob.read(start, end + 1) };
  }
  if (md5) headers["Content-MD5"] = md5;
  headers["Content-Length"] = String(blob.size);
  return { status: 200, headers, stream: () => blob.read() };
}
