/**
 * The few Blob Storage data-plane calls evidence needs, over the project's own HTTP layer and its one retry
 * loop: container properties (what protects it), blob properties, reading a small blob, staging blocks and
 * committing them, and writing a small blob. Every write that creates a blob is conditional
 * (`If-None-Match: *`): nothing is ever overwritten. Signed in with an Entra ID bearer token for Azure
 * Storage; no account key, no SAS.
 */
import { createHash } from "node:crypto";
import { type Dispatcher, request } from "undici";
import type { TokenProvider } from "../auth/tokenProvider";
import type { DefenderError } from "../core/errors";
import { USER_AGENT } from "../http/httpClient";
import { networkError } from "../http/networkErrors";
import { withRetries } from "../retry/retryLoop";
import { type RetryOptions, retryAfterMs } from "../retry/retryStrategy";
import { type BlobContainer, blobUrlOf } from "./blobContainerUrl";
import { type ContainerRetention, readContainerRetention } from "./blobRetention";
import { blobStatusError } from "./blobStatusError";

/** Blob service REST version sent with every request (supported by Azure and by Azurite 3.37). */
export const BLOB_API_VERSION = "2025-01-05";

/** Largest blob {@link BlobContainerClient.readSmallBlob} reads, in bytes (manifests are a few KiB). */
export const MAX_SMALL_BLOB_BYTES = 1024 * 1024;

/** What a blob's properties say. */
export interface BlobProperties {
  sizeInBytes: number;
  /** `Content-MD5` (base64) stored with the blob, when it has one. */
  contentMd5?: string;
  /** User metadata, lower-case names. */
  metadata: Record<string, string>;
  /** Version-level immutability of this blob, when the service reports one. */
  immutabilityPolicy?: { mode: string; until: string };
  /** A legal hold on this blob (version-level immutability). */
  legalHold?: boolean;
}

/** Options of {@link BlobContainerClient}. */
export interface BlobContainerClientOptions {
  /** The checked container. */
  container: BlobContainer;
  /** Connections (the CA and proxy rules of the stack). */
  dispatcher: Dispatcher;
  /** Tokens for scope `https://storage.azure.com/.default`. */
  tokens: TokenProvider;
  /** Retry tuning. @default the defaults of `decideRetry` */
  retry?: RetryOptions;
  /** Aborts requests and waits. */
  signal?: AbortSignal;
  /** Receives one line per request and retry (no header, no body). @default no logging */
  log?: (line: string) => void;
}

interface BlobRequest {
  method: "GET" | "HEAD" | "PUT";
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** What it does, for a 403: "may not <what>". */
  what: string;
  /** Statuses returned to the caller instead of thrown (e.g. 404, 409). */
  accept?: readonly number[];
}

interface BlobResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** `x-ms-meta-<name>` headers as a map of lower-case names. */
function metadataOf(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-ms-meta-")) out[name.slice("x-ms-meta-".length)] = value;
  }
  return out;
}

/** Metadata as request headers; names must be identifiers and values ASCII (checked by the caller). */
function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-ms-meta-${k}`, v]));
}

/** Base64 of the MD5 of `bytes`, as `Content-MD5` carries it. */
export function md5Base64(bytes: Uint8Array | string): string {
  return createHash("md5").update(bytes).digest("base64");
}

/** Data-plane calls on one container. */
export class BlobContainerClient {
  constructor(private readonly options: BlobContainerClientOptions) {}

  /** The container. */
  get container(): BlobContainer {
    return this.options.container;
  }

  /** The URL of blob `name` (no query: safe to store and show). */
  blobUrl(name: string): string {
    return blobUrlOf(this.options.container, name);
  }

  /**
   * What protects the container (immutability policy, legal hold, version-level immutability).
   * @throws DefenderError `MDE_NOT_FOUND` when the container does not exist, `MDE_FORBIDDEN` naming the role.
   */
  async retention(): Promise<ContainerRetention> {
    const { headers } = await this.send({
      method: "GET",
      url: `${this.options.container.url}?restype=container`,
      what: "read the container's properties",
    });
    return readContainerRetention(headers);
  }

  /** The properties of blob `name`, or undefined when there is none. */
  async properties(name: string): Promise<BlobProperties | undefined> {
    const response = await this.send({
      method: "HEAD",
      url: this.blobUrl(name),
      what: "read blobs in the container",
      accept: [404],
    });
    if (response.status === 404) return undefined;
    const h = response.headers;
    const until = h["x-ms-immutability-policy-until-date"];
    const mode = h["x-ms-immutability-policy-mode"];
    return {
      sizeInBytes: Number(h["content-length"] ?? "0"),
      ...(h["content-md5"] ? { contentMd5: h["content-md5"] } : {}),
      metadata: metadataOf(h),
      ...(until && mode ? { immutabilityPolicy: { mode, until } } : {}),
      ...(h["x-ms-legal-hold"] !== undefined ? { legalHold: h["x-ms-legal-hold"] === "true" } : {}),
    };
  }

  /** The bytes of a small blob (at most {@link MAX_SMALL_BLOB_BYTES}), or undefined when there is none. */
  async readSmallBlob(name: string): Promise<Buffer | undefined> {
    const response = await this.send({
      method: "GET",
      url: this.blobUrl(name),
      headers: { range: `bytes=0-${MAX_SMALL_BLOB_BYTES - 1}` },
      what: "read blobs in the container",
      accept: [404, 416],
    });
    if (response.status === 404) return undefined;
    if (response.status === 416) return Buffer.alloc(0);
    return response.body;
  }

  /**
   * Streams blob `name` through `onChunk` (e.g. to hash it), or returns false when there is none.
   * Memory stays flat: chunks are handed on as they arrive.
   */
  async readBlob(name: string, onChunk: (chunk: Buffer) => void): Promise<boolean> {
    return withRetries(
      async () => {
        const token = await this.options.tokens.getToken();
        const url = this.blobUrl(name);
        const target = `GET ${url}`;
        let response: Dispatcher.ResponseData;
        try {
          response = await request(url, {
            dispatcher: this.options.dispatcher,
            method: "GET",
            headers: this.baseHeaders(token),
            ...(this.options.signal ? { signal: this.options.signal } : {}),
          });
        } catch (error) {
          throw networkError(error, "blob", target);
        }
        const headers = flattenHeaders(response.headers);
        if (response.statusCode === 404) {
          await response.body.dump();
          return false;
        }
        if (response.statusCode !== 200) {
          await response.body.dump();
          throw blobStatusError(
            response.statusCode,
            headers,
            target,
            "read blobs in the container",
            undefined,
          );
        }
        try {
          for await (const chunk of response.body) onChunk(chunk as Buffer);
        } catch (error) {
          throw networkError(error, "blob", target);
        }
        return true;
      },
      this.loopOptions(`read ${name}`),
    );
  }

  /** Stages one block of blob `name`; it stays invisible until {@link commitBlocks} names it. */
  async putBlock(name: string, blockId: string, bytes: Uint8Array): Promise<void> {
    await this.send({
      method: "PUT",
      url: `${this.blobUrl(name)}?comp=block&blockid=${encodeURIComponent(blockId)}`,
      headers: { "content-md5": md5Base64(bytes), "content-length": String(bytes.length) },
      body: bytes,
      what: "write blobs in the container",
    });
  }

  /**
   * Commits the staged blocks as blob `name` if, and only if, no blob of that name exists.
   * @returns `created`, or `exists` when a blob of that name was there already (nothing was changed).
   */
  async commitBlocks(
    name: string,
    blockIds: readonly string[],
    options: { contentMd5: string; contentType: string; metadata: Record<string, string> },
  ): Promise<"created" | "exists"> {
    const xml = `<?xml version="1.0" encoding="utf-8"?><BlockList>${blockIds.map((id) => `<Latest>${id}</Latest>`).join("")}</BlockList>`;
    const response = await this.send({
      method: "PUT",
      url: `${this.blobUrl(name)}?comp=blocklist`,
      headers: {
        "if-none-match": "*",
        "content-type": "application/xml",
        "content-md5": md5Base64(xml),
        "x-ms-blob-content-md5": options.contentMd5,
        "x-ms-blob-content-type": options.contentType,
        ...metadataHeaders(options.metadata),
      },
      body: xml,
      what: "write blobs in the container",
      accept: [409, 412],
    });
    return response.status === 201 ? "created" : "exists";
  }

  /**
   * Writes a small blob in one request if, and only if, no blob of that name exists.
   * @returns `created`, or `exists` when a blob of that name was there already (nothing was changed).
   */
  async putSmallBlob(
    name: string,
    bytes: Uint8Array | string,
    options: { contentType: string; metadata: Record<string, string> },
  ): Promise<"created" | "exists"> {
    const response = await this.send({
      method: "PUT",
      url: this.blobUrl(name),
      headers: {
        "if-none-match": "*",
        "x-ms-blob-type": "BlockBlob",
        "content-type": options.contentType,
        "content-md5": md5Base64(bytes),
        ...metadataHeaders(options.metadata),
      },
      body: bytes,
      what: "write blobs in the container",
      accept: [409, 412],
    });
    return response.status === 201 ? "created" : "exists";
  }

  private baseHeaders(token: string): Record<string, string> {
    return {
      authorization: `Bearer ${token}`,
      "x-ms-version": BLOB_API_VERSION,
      "x-ms-date": new Date().toUTCString(),
      "user-agent": USER_AGENT,
    };
  }

  /** Retry-loop options for one call: a refused token (401) is renewed once, then the decision runs. */
  private loopOptions(label: string) {
    const { retry, signal, log, tokens } = this.options;
    let renewed = false;
    return {
      label: `storage ${label}`,
      // Every call here may be repeated: reads, block staging, and creates guarded by If-None-Match.
      method: "GET" as const,
      ...(retry ? { retry } : {}),
      ...(signal ? { signal } : {}),
      ...(log ? { log } : {}),
      inspect: (error: DefenderError): "again" | undefined => {
        if (error.status === 401 && !renewed && tokens.canRefresh) {
          renewed = true;
          tokens.invalidate();
          return "again";
        }
        return undefined;
      },
    };
  }

  /** One request through the retry loop; statuses in `accept` are returned, other failures thrown. */
  private send(spec: BlobRequest): Promise<BlobResponse> {
    return withRetries(
      async () => {
        const token = await this.options.tokens.getToken();
        const target = `${spec.method} ${spec.url.split("?")[0]}`;
        const started = Date.now();
        let response: Dispatcher.ResponseData;
        try {
          response = await request(spec.url, {
            dispatcher: this.options.dispatcher,
            method: spec.method,
            headers: { ...this.baseHeaders(token), ...spec.headers },
            ...(spec.body !== undefined ? { body: spec.body } : {}),
            ...(this.options.signal ? { signal: this.options.signal } : {}),
          });
        } catch (error) {
          throw networkError(error, "blob", target);
        }
        const headers = flattenHeaders(response.headers);
        const body = Buffer.from(await response.body.arrayBuffer());
        this.options.log?.(`${target} -> ${response.statusCode} in ${Date.now() - started} ms`);
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        if (ok || spec.accept?.includes(response.statusCode)) {
          return { status: response.statusCode, headers, body };
        }
        throw blobStatusError(
          response.statusCode,
          headers,
          target,
          spec.what,
          retryAfterMs(headers, Date.now()),
        );
      },
      this.loopOptions(`${spec.method} ${spec.url.split("?")[0]}`),
    );
  }
}
