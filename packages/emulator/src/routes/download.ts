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

/** What {@link serveBlob} can send: a fixed byte sequence readable from any offset. */
export interface ServableBlob {
  readonly size: number;
  /** Strong validator for `ETag` and `If-Range`. */
  readonly etag: string;
  /** `Content-MD5` of the whole blob, when it has one. */
  contentMd5(): Promise<string | undefined>;
  /** The bytes in `[start, end)`, in chunks. */
  read(start?: number, end?: number): Iterable<Buffer>;
}

/** `GET /investigation-packages/{actionId}.zip?...&se=...&sig=...`. */
export async function handleDownload(ctx: EmulatorContext, req: RouteRequest): Promise<HandlerResult> {
  const check = ctx.links.check(req.url.pathname, req.url.searchParams, ctx.clock.nowMs());
  if (!check.ok) {
    return check.reason === "expired"
      ? StorageErrorFactory.linkExpired(req.url.searchParams.get("se") ?? "", ctx.clock.nowMs())
      : StorageErrorFactory.signatureMismatch();
  }
  // A link carries no token: the action's tenant, whichever it is, is the call's.
  const found = ctx.tenants.findAction(check.actionId);
  if (!found) return StorageErrorFactory.blobNotFound();
  const { entry } = found;
  req.call.identify(undefined, found.tenant.tenantId);
  const blob = await ctx.packages.open(entry);
  return serveBlob(ctx, req, blob, { contentType: "application/zip", fileName: `${entry.id}.zip` });
}

/**
 * Answers a blob read as Blob Storage does: the whole blob (200, `Content-MD5`) or one byte range
 * (206, `x-ms-blob-content-md5`), 416 for an unsatisfiable range.
 */
export async function serveBlob(
  ctx: EmulatorContext,
  req: RouteRequest,
  blob: ServableBlob,
  describe: { contentType: string; fileName: string },
): Promise<HandlerResult> {
  const md5 = await blob.contentMd5();
  const headers: Record<string, string> = {
    "Content-Type": describe.contentType,
    ETag: blob.etag,
    "x-ms-blob-type": "BlockBlob",
    "Content-Disposition": `attachment; filename="${describe.fileName}"`,
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
