/**
 * Request and response plumbing shared by the route handlers: body reading, the handler
 * result type, and the wire shapes of API and Entra errors.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { EntraError } from "./entraErrors";
import { MdeError } from "./errors";

/** Largest request body accepted, in bytes; more is not an API call anyone makes. */
export const MAX_BODY_BYTES = 1_048_576;

/** What a handler answers; the server writes it (or drops it, under a commitThenDrop fault). */
export interface HandlerResult {
  status: number;
  headers?: Record<string, string>;
  /** JSON body; ignored when `raw` is set. */
  json?: unknown;
  raw?: Buffer;
  /**
   * Body produced chunk by chunk, for bodies too large to buffer (package downloads); used when
   * `raw` and `json` are absent. The handler sets `Content-Length` in `headers`.
   */
  stream?: () => Iterable<Buffer> | AsyncIterable<Buffer>;
  /** `error.code` (API) or `error` (Entra) for the record. */
  errorCode?: string;
}

/** Reads the whole body, refusing more than {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new MdeError(413, "RequestEntityTooLarge", "Request body is too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON success answer. */
export function jsonResult(status: number, json: unknown, headers?: Record<string, string>): HandlerResult {
  return headers ? { status, json, headers } : { status, json };
}

/** The API error envelope; `target` is a fresh correlation id, as the service sends. */
export function mdeErrorResult(error: MdeError): HandlerResult {
  return {
    status: error.status,
    headers: error.headers,
    json: { error: { code: error.code, message: error.message, target: randomUUID() } },
    errorCode: error.code,
  };
}

/** The Entra error envelope. */
export function entraErrorResult(error: EntraError, origin: string): HandlerResult {
  return { status: error.status, headers: error.headers, json: error.toBody(origin), errorCode: error.error };
}

/** Parses a JSON body into an object, or returns undefined when it is not one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
