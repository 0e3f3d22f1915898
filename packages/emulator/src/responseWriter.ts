/**
 * Writes a handler's answer to the socket, streamed with backpressure, and applies the body
 * faults: a transfer cut after N bytes, a flipped byte, a body trickled a few bytes at a time, and a
 * body without a length that never ends. Offsets count bytes of this response's body (after any
 * `Range`), so a fault means the same thing on every route.
 */

import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { HandlerResult } from "./http";

/** Faults that act on the body as it is sent. */
export interface BodyFaults {
  /** Send this many body bytes, then close the connection (the body is cut short). */
  cutAfterBytes?: number;
  /** Flip every bit of the body byte at this offset. */
  corruptAt?: number;
  /** Send the body `bytes` at a time, waiting `intervalMs` (real) before each piece. */
  trickle?: { intervalMs: number; bytes: number };
  /** No `Content-Length` (nor `Content-MD5`), chunked, and filler bytes after the body until the client leaves. */
  endless?: boolean;
}

/** Size of one filler chunk of an endless body. */
const FILLER_CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/** The chunks of `chunks`, re-cut into pieces of `bytes`, each after a pause of `intervalMs`. */
async function* trickled(
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  trickle: { intervalMs: number; bytes: number },
  res: ServerResponse,
): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += trickle.bytes) {
      await sleep(trickle.intervalMs);
      if (res.destroyed) return;
      yield chunk.subarray(at, at + trickle.bytes);
    }
  }
}

/** The chunks of `chunks`, then filler without end (the writer stops when the client leaves). */
async function* endless(chunks: Iterable<Buffer> | AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield* chunks;
  for (;;) yield FILLER_CHUNK;
}

/** How the body went out. */
export interface WriteOutcome {
  /** Body bytes written. */
  bodyBytes: number;
  /** `cutAfterBytes` closed the connection before the body was complete. */
  cut: boolean;
  /** The client went away before the body was complete. */
  clientClosed: boolean;
}

/** Resolves true on `drain`, false when the response closes first (client gone). */
function drained(res: ServerResponse): Promise<boolean> {
  // A destroyed response emits nothing more: waiting for an event would never end.
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}

/** Writes `chunk` and resolves once it has been handed to the socket. */
function flushed(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    res.write(chunk, () => resolve());
  });
}

/** Sends `result` (headers, then a buffered or streamed body), applying `faults`. */
export async function writeResult(
  res: ServerResponse,
  result: HandlerResult,
  faults: BodyFaults = {},
): Promise<WriteOutcome> {
  const headers: Record<string, string> = { ...result.headers };
  let body: Buffer | undefined = result.raw;
  if (!body && !result.stream && result.json !== undefined) {
    body = Buffer.from(JSON.stringify(result.json), "utf8");
    headers["Content-Type"] ??= "application/json; charset=utf-8";
  }
  if (body) headers["Content-Length"] = String(body.length);
  if (faults.endless) {
    // Chunked, with nothing that states (or checks) a length.
    for (const name of Object.keys(headers)) {
      if (/^(content-length|content-md5|content-range|x-ms-blob-content-md5)$/i.test(name))
        delete headers[name];
    }
  }
  res.writeHead(result.status, headers);
  let chunks: Iterable<Buffer> | AsyncIterable<Buffer> = body ? [body] : (result.stream?.() ?? []);
  if (faults.endless) chunks = endless(chunks);
  if (faults.trickle) {
    // The headers go at once; only the body is slow.
    res.flushHeaders();
    chunks = trickled(chunks, faults.trickle, res);
  }
  const { cutAfterBytes, corruptAt } = faults;
  let sent = 0;
  for await (const original of chunks) {
    if (res.destroyed) return { bodyBytes: sent, cut: false, clientClosed: true };
    let chunk = original;
    if (corruptAt !== undefined && corruptAt >= sent && corruptAt < sent + chunk.length) {
      // Copy first: the chunk may be a cached package buffer shared with later requests.
      chunk = Buffer.from(chunk);
      chunk[corruptAt - sent] = (chunk[corruptAt - sent] ?? 0) ^ 0xff;
    }
    // A body of at most `cutAfterBytes` bytes arrives whole: there is nothing to cut.
    if (cutAfterBytes !== undefined && sent + chunk.length > cutAfterBytes) {
      const part = chunk.subarray(0, cutAfterBytes - sent);
      // Hand the last bytes to the socket, then close it once they are out: the client receives
      // exactly `cutAfterBytes` bytes and then the end of the connection, short of Content-Length.
      if (part.length > 0) await flushed(res, part);
      else res.flushHeaders();
      sent += part.length;
      const socket = res.socket;
      if (socket) socket.destroySoon();
      return { bodyBytes: sent, cut: true, clientClosed: false };
    }
    sent += chunk.length;
    if (!res.write(chunk) && !(await drained(res)))
      return { bodyBytes: sent, cut: false, clientClosed: true };
  }
  // A trickle that noticed the client gone ends its pieces early: the body was not complete.
  if (res.destroyed) return { bodyBytes: sent, cut: false, clientClosed: true };
  res.end();
  return { bodyBytes: sent, cut: false, clientClosed: false };
}
