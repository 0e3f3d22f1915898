/**
 * The Blob REST client's answers that Azurite cannot produce on demand, against a scripted server: a 403
 * names the role to grant and never quotes the service's body, a refused token is renewed once, a lost
 * commit answer is recognised by the 409 that follows, and a blob is never written without
 * `If-None-Match: *`.
 */
import { createHash } from "node:crypto";
import test from "ava";
import { Agent } from "undici";
import type { TokenProvider } from "../../src/auth/tokenProvider";
import { BlobContainerClient } from "../../src/blob/blobClient";
import { parseBlobContainerUrl } from "../../src/blob/blobContainerUrl";
import { DefenderError } from "../../src/core/errors";
import { type Received, startScriptedServer } from "./helpers/scriptedServer";

const closers: (() => Promise<void>)[] = [];
test.after.always(async () => {
  await Promise.all(closers.map((c) => c()));
});

function tokens(): TokenProvider & { issued: number; dropped: number } {
  return {
    kind: "clientSecret",
    canRefresh: true,
    issued: 0,
    dropped: 0,
    async getToken() {
      this.issued++;
      return `storage-token-${this.issued}`;
    },
    invalidate() {
      this.dropped++;
    },
  };
}

async function clientFor(
  answer: (
    req: Received,
    index: number,
  ) => { status: number; headers?: Record<string, string>; body?: string },
) {
  const server = await startScriptedServer((req, res, index) => {
    const { status, headers = {}, body = "" } = answer(req, index);
    res.writeHead(status, headers);
    res.end(body);
  });
  closers.push(server.close);
  const provider = tokens();
  const client = new BlobContainerClient({
    container: parseBlobContainerUrl(`${server.url}/devstoreaccount1/evidence`),
    dispatcher: new Agent({ connect: { ca: server.tls.certPem } }),
    tokens: provider,
    retry: { timeScale: 1000 },
  });
  return { client, server, provider };
}

test("a 403 names Storage Blob Data Contributor and quotes nothing of the body", async (t) => {
  const { client } = await clientFor(() => ({
    status: 403,
    headers: { "x-ms-error-code": "AuthorizationPermissionMismatch" },
    body: "<Error><Code>AuthorizationPermissionMismatch</Code><Message>secret-echo eyJhbGciOi.eyJzdWIi.c2ln</Message></Error>",
  }));
  const error = await t.throwsAsync(client.putBlock("a.zip", "YmxvY2s=", Buffer.from("x")));
  t.true(error instanceof DefenderError);
  t.is((error as DefenderError).code, "MDE_FORBIDDEN");
  t.regex(error?.message ?? "", /Storage Blob Data Contributor/);
  t.false((error?.message ?? "").includes("secret-echo"), "the body is never quoted");
});

test("a refused token is renewed once, then the request goes through", async (t) => {
  const { client, provider, server } = await clientFor((_req, i) =>
    i === 0 ? { status: 401, headers: { "x-ms-error-code": "InvalidAuthenticationInfo" } } : { status: 201 },
  );
  await client.putBlock("a.zip", "YmxvY2s=", Buffer.from("x"));
  t.is(provider.dropped, 1);
  t.is(server.received[1]?.headers.authorization, "Bearer storage-token-2");
  const md5 = createHash("md5").update("x").digest("base64");
  t.is(server.received[1]?.headers["content-md5"], md5, "each block carries its MD5");
});

test("commits are conditional, and a 409 after a lost answer reads as an existing blob", async (t) => {
  const { client, server } = await clientFor((_req, i) =>
    i === 0 ? { status: 500 } : { status: 409, headers: { "x-ms-error-code": "BlobAlreadyExists" } },
  );
  const result = await client.commitBlocks("a.zip", ["YmxvY2s="], {
    contentMd5: "nX/X2LO8ByRlmrTsebDq2A==",
    contentType: "application/zip",
    metadata: { sha256: "ab".repeat(32), actionid: "x" },
  });
  t.is(result, "exists");
  for (const req of server.received) {
    t.is(req.headers["if-none-match"], "*");
    t.is(req.headers["x-ms-meta-sha256"], "ab".repeat(32));
    t.regex(req.url, /\/devstoreaccount1\/evidence\/a\.zip\?comp=blocklist$/);
  }
  t.regex(server.received[0]?.body ?? "", /<Latest>YmxvY2s=<\/Latest>/);
});

test("container properties become the retention; a missing container says how to fix it", async (t) => {
  const { client } = await clientFor((req) =>
    req.url.endsWith("?restype=container")
      ? { status: 200, headers: { "x-ms-has-immutability-policy": "true", "x-ms-has-legal-hold": "false" } }
      : { status: 404 },
  );
  t.deepEqual(await client.retention(), {
    immutabilityPolicy: true,
    legalHold: false,
    versionLevelImmutability: false,
  });
  t.is(await client.properties("missing.zip"), undefined);
  const { client: gone } = await clientFor(() => ({
    status: 404,
    headers: { "x-ms-error-code": "ContainerNotFound" },
  }));
  const error = await t.throwsAsync(gone.retention());
  t.regex(error?.message ?? "", /container does not exist/);
});
