/** A local HTTPS server on port 0 whose answers each test scripts per request. */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { makeTestTls, type TestTls } from "./tls";

/** One received request, body read. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Handles one request; may answer, hang or destroy the socket. */
export type Script = (req: Received, res: ServerResponse, index: number) => void;

/** A running scripted server. */
export interface ScriptedServer {
  url: string;
  tls: TestTls;
  received: Received[];
  close(): Promise<void>;
}

let shared: TestTls | undefined;

/** Starts a server; `script` sees every request with its index (0-based). */
export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  shared ??= makeTestTls();
  const tls = shared;
  const received: Received[] = [];
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: Received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(r);
      script(r, res, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    tls,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a JSON answer. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
