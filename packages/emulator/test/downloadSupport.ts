/**
 * Helpers for the package download tests: a succeeded action and its link, raw downloads that
 * keep the bytes (or only hash them, for large packages), and a ZIP check with a standard reader.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import type { Emulator } from "../src";
import { agentFor, send, waitForStatus } from "./support";

/** Collects on a device (the first by default), waits for Succeeded, and returns the action id. */
export async function succeededAction(em: Emulator, token: string, deviceIndex = 0): Promise<string> {
  const device = em.fleet[deviceIndex]!;
  const created = await send(em, "POST", `/api/machines/${device.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "download test" },
  });
  if (created.status !== 201) throw new Error(`collect failed: ${created.body}`);
  const action = await waitForStatus(em, token, created.json.id, "Succeeded");
  if (action?.status !== "Succeeded") throw new Error(`action did not succeed: ${JSON.stringify(action)}`);
  return created.json.id as string;
}

/** A fresh download link for a succeeded action. */
export async function packageLink(em: Emulator, token: string, actionId: string): Promise<string> {
  const answer = await send(em, "GET", `/api/machineactions/${actionId}/GetPackageUri`, { token });
  if (answer.status !== 200) throw new Error(`GetPackageUri failed: ${answer.status} ${answer.body}`);
  return answer.json.value as string;
}

/** A download answer with its whole body. */
export interface Download {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** GETs `url` and keeps the body (small packages only). */
export async function download(
  em: Emulator,
  url: string,
  headers: Record<string, string> = {},
): Promise<Download> {
  const answer = await request(url, { headers, dispatcher: agentFor(em) });
  return {
    status: answer.statusCode,
    headers: flatten(answer.headers),
    body: Buffer.from(await answer.body.arrayBuffer()),
  };
}

/** GETs `url` and hashes the body as it streams; `onChunk` sees every chunk with its offset. */
export async function downloadHashed(
  em: Emulator,
  url: string,
  headers: Record<string, string> = {},
  onChunk?: (chunk: Buffer, offset: number) => void,
): Promise<{ status: number; headers: Record<string, string>; bytes: number; sha256: string }> {
  const answer = await request(url, { headers, dispatcher: agentFor(em) });
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of answer.body) {
    const buffer = chunk as Buffer;
    onChunk?.(buffer, bytes);
    hash.update(buffer);
    bytes += buffer.length;
  }
  return { status: answer.statusCode, headers: flatten(answer.headers), bytes, sha256: hash.digest("hex") };
}

/** SHA-256 in lowercase hex. */
export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Opens `zip` with Python's standard `zipfile` (CPython is on every machine of this project)
 * and checks every member's CRC; returns the member names and sizes.
 */
export function checkWithStandardZipReader(zip: Buffer): { name: string; size: number }[] {
  const dir = mkdtempSync(join(tmpdir(), "mde-zip-"));
  try {
    const file = join(dir, "package.zip");
    writeFileSync(file, zip);
    const script = [
      "import json, sys, zipfile",
      "z = zipfile.ZipFile(sys.argv[1])",
      "bad = z.testzip()",
      "assert bad is None, 'bad CRC in ' + bad",
      "print(json.dumps([{'name': i.filename, 'size': i.file_size} for i in z.infolist()]))",
    ].join("\n");
    return JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
