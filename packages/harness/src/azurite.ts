/**
 * Azurite (the Azure Storage emulator, npm `azurite`) as the blob storage of tests, the demo and
 * exercises: `azurite-blob` over HTTPS with a server certificate the Defender emulator's CA signed
 * (so `mde:caCertPath` trusts both), `--oauth basic` (it accepts the emulator's storage tokens and
 * checks their audience, issuer and lifetime, not their signature), no telemetry, and data in memory
 * or in a temp folder removed at stop. Azurite enforces no immutability (retention and legal-hold
 * calls answer 501), so blob destinations against it need `requireImmutableStorage: false`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Emulator, STORAGE_AUDIENCE } from "pulumi-mde-emulator";
import {
  type BlobAnswer,
  type BlobContent,
  blobRequest,
  blobUrl,
  type ListedBlob,
  parseBlobList,
  splitMetadata,
} from "./azuriteBlobs";

export * from "./azuriteBlobs";

/** The account Azurite serves unless told otherwise; path-style URLs name it first. */
export const AZURITE_ACCOUNT = "devstoreaccount1";

/** Options of {@link startAzurite}. */
export interface AzuriteOptions {
  /** The emulator whose CA signs Azurite's certificate and whose Entra mints the helpers' storage tokens. */
  caFrom: Emulator;
  /** `memory` (`--inMemoryPersistence`) or `disk` (a temp `--location`, for large blobs). @default "memory" */
  persistence?: "memory" | "disk";
  /** Bound on start-up until Azurite answers, milliseconds. @default 30000 */
  startTimeoutMs?: number;
}

/** A running Azurite blob service. */
export interface Azurite {
  /** Path-style account endpoint, e.g. `https://127.0.0.1:41234/devstoreaccount1`. */
  readonly blobEndpoint: string;
  readonly accountName: string;
  /** The CA file (the emulator's) that makes a client trust Azurite. */
  readonly caFile: string;
  /** Folder of Azurite's certificate, key and (on disk) data; removed at stop. */
  readonly workDir: string;
  /** The container's URL (nothing is created). */
  containerUrl(name: string): string;
  /** Creates a container (an existing one is kept) with an emulator-issued storage token; returns its URL. */
  createContainer(name: string): Promise<string>;
  /** Every blob of a container (all pages), with metadata and properties. */
  listBlobs(container: string, options?: { prefix?: string }): Promise<ListedBlob[]>;
  /** A blob's bytes, metadata and properties. @throws Error when it does not answer 200 */
  readBlob(container: string, name: string): Promise<BlobContent>;
  /** Puts a block blob in one request (e.g. a conflicting blob a test plants). @throws Error unless 201 */
  putBlob(
    container: string,
    name: string,
    bytes: Buffer,
    options?: { metadata?: Record<string, string> },
  ): Promise<void>;
  /** Deletes a blob (to make drift). @throws Error unless 202 */
  deleteBlob(container: string, name: string): Promise<void>;
  /** One raw request with any token (or none): to prove what Azurite refuses. */
  send(method: "GET" | "PUT" | "DELETE" | "HEAD", url: string, token?: string): Promise<BlobAnswer>;
  /** A fresh storage token from the emulator (the default app), as the helpers use. */
  storageToken(): string;
  /** Kills Azurite's process group and removes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** Exits Azurite's process group when the test process exits without `stop()`. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  // SIGKILL at once: Azurite's graceful close waits for idle keep-alive connections, and its data
  // is thrown away anyway.
  killGroup(child, "SIGKILL");
  await Promise.race([exited, sleep(10_000)]);
  running.delete(child);
}

/** Waits for Azurite's "listens on <url>" line; rejects when it exits first or the bound passes. */
function listeningUrl(child: ChildProcess, timeoutMs: number, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`Azurite did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = () => {
      const match = /listens on (https:\/\/[^\s]+)/.exec(output());
      if (match) finish(undefined, match[1]);
    };
    const onExit = (code: number | null) =>
      finish(new Error(`Azurite exited (${code}) before listening: ${output().slice(-500)}`));
    function finish(error?: Error, url?: string) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(url as string);
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Starts `azurite-blob` on a free loopback port over HTTPS and waits (bounded) until it answers
 * an authenticated request. Every failure on the way stops it and removes its files.
 */
export async function startAzurite(options: AzuriteOptions): Promise<Azurite> {
  const em = options.caFrom;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), "mde-azurite-"));
  const tls = em.issueServerCertificate();
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  writeFileSync(certFile, tls.certPem, { mode: 0o600 });
  writeFileSync(keyFile, tls.keyPem, { mode: 0o600 });
  const dataDir = path.join(dir, "data");
  const args = [
    require.resolve("azurite/dist/src/blob/main.js"),
    ...["--blobHost", "127.0.0.1", "--blobPort", "0", "--cert", certFile, "--key", keyFile],
    ...["--oauth", "basic", "--disableTelemetry", "--skipApiVersionCheck", "--silent"],
    ...(options.persistence === "disk" ? ["--location", dataDir] : ["--inMemoryPersistence"]),
  ];
  const { AZURITE_ACCOUNTS: _accounts, ...env } = process.env;
  // Own process group, so stop() ends Azurite and anything it starts.
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-8_192);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const token = () => em.issueToken({ audience: STORAGE_AUDIENCE });
  try {
    const origin = await listeningUrl(child, timeoutMs, () => output);
    const blobEndpoint = `${origin.replace(/\/$/, "")}/${AZURITE_ACCOUNT}`;
    const send = (method: "GET" | "PUT" | "DELETE" | "HEAD", url: string, bearer?: string) =>
      blobRequest({ method, url, ca: em.caPem, ...(bearer ? { token: bearer } : {}) });
    await waitUntilAnswering(() => send("GET", `${blobEndpoint}?comp=list`, token()), timeoutMs);
    const containerUrl = (name: string) => `${blobEndpoint}/${encodeURIComponent(name)}`;
    return {
      blobEndpoint,
      accountName: AZURITE_ACCOUNT,
      caFile: em.caFile,
      workDir: dir,
      containerUrl,
      storageToken: token,
      send,
      stop,
      async createContainer(name) {
        const answer = await send("PUT", `${containerUrl(name)}?restype=container`, token());
        if (answer.status !== 201 && answer.status !== 409) throw refused("create container", answer);
        return containerUrl(name);
      },
      async listBlobs(container, listOptions = {}) {
        const blobs: ListedBlob[] = [];
        let marker: string | undefined;
        do {
          const query = new URLSearchParams({ restype: "container", comp: "list", include: "metadata" });
          if (listOptions.prefix) query.set("prefix", listOptions.prefix);
          if (marker) query.set("marker", marker);
          const answer = await send("GET", `${containerUrl(container)}?${query}`, token());
          if (answer.status !== 200) throw refused("list blobs", answer);
          const page = parseBlobList(answer.body.toString("utf8"));
          blobs.push(...page.blobs);
          marker = page.nextMarker;
        } while (marker);
        return blobs;
      },
      async readBlob(container, name) {
        const answer = await send("GET", blobUrl(containerUrl(container), name), token());
        if (answer.status !== 200) throw refused(`read blob ${name}`, answer);
        return { bytes: answer.body, ...splitMetadata(answer.headers) };
      },
      async putBlob(container, name, bytes, putOptions = {}) {
        const headers: Record<string, string> = { "x-ms-blob-type": "BlockBlob" };
        for (const [key, value] of Object.entries(putOptions.metadata ?? {}))
          headers[`x-ms-meta-${key}`] = value;
        const answer = await blobRequest({
          method: "PUT",
          url: blobUrl(containerUrl(container), name),
          token: token(),
          ca: em.caPem,
          headers,
          body: bytes,
        });
        if (answer.status !== 201) throw refused(`put blob ${name}`, answer);
      },
      async deleteBlob(container, name) {
        const answer = await send("DELETE", blobUrl(containerUrl(container), name), token());
        if (answer.status !== 202) throw refused(`delete blob ${name}`, answer);
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Retries the probe until it answers 200, within the bound (Azurite may listen before it serves). */
async function waitUntilAnswering(probe: () => Promise<BlobAnswer>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const answer = await probe();
      if (answer.status === 200) return;
      last = `status ${answer.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`Azurite did not answer within ${timeoutMs} ms (${last})`);
}

function refused(what: string, answer: BlobAnswer): Error {
  const code = answer.headers["x-ms-error-code"] ?? "";
  return new Error(`Azurite refused to ${what}: ${answer.status} ${code}`.trim());
}
