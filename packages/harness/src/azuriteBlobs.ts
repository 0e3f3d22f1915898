/**
 * Plain Blob REST calls against Azurite for tests and the demo: create a container, put, read,
 * list and delete blobs with a bearer token. No Azure SDK: one HTTPS request per call, trusting
 * the emulator's CA.
 */
import { request } from "node:https";

/** Blob service version the helpers send; Azurite 3.37 knows it. */
export const BLOB_API_VERSION = "2025-01-05";

/** An answer of the Blob service. */
export interface BlobAnswer {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** A request to the Blob service. */
export interface BlobRequest {
  method: "GET" | "PUT" | "DELETE" | "HEAD";
  url: string;
  /** Bearer token; none sends an anonymous request. */
  token?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** PEM of the CA to trust. */
  ca: string;
  /** Bound on the whole exchange, milliseconds. @default 30000 */
  timeoutMs?: number;
}

/** A blob as read: its bytes, user metadata (`x-ms-meta-*`) and the other response headers. */
export interface BlobContent {
  bytes: Buffer;
  metadata: Record<string, string>;
  /** Response headers other than metadata: content-length, content-md5, etag, x-ms-blob-type, ... */
  properties: Record<string, string>;
}

/** A blob as listed. */
export interface ListedBlob {
  name: string;
  sizeInBytes: number;
  metadata: Record<string, string>;
  /** Every element of the listing's `<Properties>`, by its XML name (e.g. `Content-MD5`, `Etag`). */
  properties: Record<string, string>;
}

/** Sends one request; answers every status (only transport failures reject). */
export function blobRequest(req: BlobRequest): Promise<BlobAnswer> {
  const headers: Record<string, string> = {
    "x-ms-version": BLOB_API_VERSION,
    "x-ms-date": new Date().toUTCString(),
    ...req.headers,
  };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  if (req.body) headers["content-length"] = String(req.body.length);
  else if (req.method === "PUT") headers["content-length"] = "0";
  return new Promise((resolve, reject) => {
    const outgoing = request(
      req.url,
      { method: req.method, headers, ca: req.ca, timeout: req.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
        });
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`${req.method} to Azurite timed out`)));
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

/** URL of a blob in a container URL; each path segment of the name is encoded. */
export function blobUrl(containerUrl: string, name: string): string {
  return `${containerUrl}/${name.split("/").map(encodeURIComponent).join("/")}`;
}

/** Splits response headers into user metadata and the rest. */
export function splitMetadata(headers: Record<string, string>): {
  metadata: Record<string, string>;
  properties: Record<string, string>;
} {
  const metadata: Record<string, string> = {};
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-ms-meta-")) metadata[name.slice("x-ms-meta-".length)] = value;
    else properties[name] = value;
  }
  return { metadata, properties };
}

function xmlText(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

/** Child elements `<Name>text</Name>` of an XML fragment (flat, as the listing's are). */
function elements(xml: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of xml.matchAll(/<([A-Za-z0-9_-]+)>([^<]*)<\/\1>/g)) {
    found[match[1] as string] = xmlText(match[2] as string);
  }
  return found;
}

/**
 * Parses one page of a List Blobs answer (`include=metadata`).
 * @returns the blobs and the marker of the next page, if any
 */
export function parseBlobList(xml: string): { blobs: ListedBlob[]; nextMarker?: string } {
  const blobs: ListedBlob[] = [];
  for (const match of xml.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)) {
    const body = match[1] as string;
    const name = xmlText(/<Name>([^<]*)<\/Name>/.exec(body)?.[1] ?? "");
    const properties = elements(/<Properties>([\s\S]*?)<\/Properties>/.exec(body)?.[1] ?? "");
    const metadata = elements(/<Metadata>([\s\S]*?)<\/Metadata>/.exec(body)?.[1] ?? "");
    blobs.push({ name, sizeInBytes: Number(properties["Content-Length"] ?? 0), metadata, properties });
  }
  const nextMarker = /<NextMarker>([^<]+)<\/NextMarker>/.exec(xml)?.[1];
  return nextMarker ? { blobs, nextMarker: xmlText(nextMarker) } : { blobs };
}
