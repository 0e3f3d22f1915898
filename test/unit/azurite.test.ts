/**
 * The harness's Azurite beside the emulator: HTTPS with a certificate the emulator's CA signed,
 * storage tokens from the emulator's Entra accepted (app and user, through the token endpoint),
 * Defender tokens and anonymous calls refused, and stop() ending the process.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { request } from "node:https";
import test from "ava";
import { AZURE_CLI_CLIENT_ID, type Emulator, STORAGE_AUDIENCE, startEmulator } from "pulumi-mde-emulator";
import { type Azurite, blobRequest, blobUrl, startAzurite } from "pulumi-mde-harness";

let em: Emulator;
let azurite: Azurite;

test.before(async () => {
  em = await startEmulator({ timeScale: 10 });
  azurite = await startAzurite({ caFrom: em });
});
test.after.always(async () => {
  await azurite?.stop();
  await em?.close();
});

/** A token from the emulator's token endpoint, as the library and the Azure CLI ask for one. */
async function tokenFromEndpoint(form: Record<string, string>): Promise<string> {
  const body = new URLSearchParams(form).toString();
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(
      `${em.authorityHost}/${em.defaultApp.tenantId}/oauth2/v2.0/token`,
      { method: "POST", ca: em.caPem, headers: { "content-type": "application/x-www-form-urlencoded" } },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          data += chunk;
        });
        res.on("end", () =>
          res.statusCode === 200 ? resolve(data) : reject(new Error(`${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  return JSON.parse(text).access_token as string;
}

test("a container, a blob put with metadata, read back and listed, with emulator-issued storage tokens", async (t) => {
  t.regex(azurite.blobEndpoint, /^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  const containerUrl = await azurite.createContainer("evidence");
  t.is(containerUrl, `${azurite.blobEndpoint}/evidence`);
  t.is(await azurite.createContainer("evidence"), containerUrl, "an existing container is kept");
  const bytes = Buffer.from("investigation package bytes");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  await azurite.putBlob("evidence", "IR-4711/host one-1.zip", bytes, { metadata: { sha256 } });
  const read = await azurite.readBlob("evidence", "IR-4711/host one-1.zip");
  t.deepEqual(read.bytes, bytes);
  t.is(read.metadata.sha256, sha256);
  t.is(read.properties["content-length"], String(bytes.length));
  t.is(read.properties["x-ms-blob-type"], "BlockBlob");
  const listed = await azurite.listBlobs("evidence", { prefix: "IR-4711/" });
  t.deepEqual(
    listed.map((b) => [b.name, b.sizeInBytes, b.metadata.sha256]),
    [["IR-4711/host one-1.zip", bytes.length, sha256]],
  );
  t.is(typeof listed[0]?.properties.Etag, "string");
  // Azurite keeps what it holds: a commit with If-None-Match: * on an existing name is refused.
  const again = await blobRequest({
    method: "PUT",
    url: blobUrl(containerUrl, "IR-4711/host one-1.zip"),
    token: azurite.storageToken(),
    ca: em.caPem,
    headers: { "x-ms-blob-type": "BlockBlob", "if-none-match": "*" },
    body: Buffer.from("other"),
  });
  t.is(again.status, 409);
  t.deepEqual((await azurite.readBlob("evidence", "IR-4711/host one-1.zip")).bytes, bytes);
  await azurite.deleteBlob("evidence", "IR-4711/host one-1.zip");
  t.deepEqual(await azurite.listBlobs("evidence"), []);
});

test("storage tokens from the token endpoint work: an app's (client secret) and a user's (Azure CLI)", async (t) => {
  await azurite.createContainer("tokens");
  const app = await tokenFromEndpoint({
    grant_type: "client_credentials",
    client_id: em.defaultApp.clientId,
    client_secret: em.defaultApp.clientSecret,
    scope: "https://storage.azure.com/.default",
  });
  const user = await tokenFromEndpoint({
    grant_type: "password",
    client_id: AZURE_CLI_CLIENT_ID,
    username: em.defaultUser.upn,
    password: em.defaultUser.password,
    scope: "https://storage.azure.com/.default",
  });
  const list = `${azurite.containerUrl("tokens")}?restype=container&comp=list`;
  t.is((await azurite.send("GET", list, app)).status, 200);
  t.is((await azurite.send("GET", list, user)).status, 200);
});

test("Azurite refuses a Defender token, an anonymous call and an expired storage token; the API refuses a storage token", async (t) => {
  await azurite.createContainer("refusals");
  const list = `${azurite.containerUrl("refusals")}?restype=container&comp=list`;
  const defender = await azurite.send("GET", list, em.issueToken());
  t.is(defender.status, 403, "Azurite refuses the Defender audience");
  t.is(defender.headers["x-ms-error-code"], "AuthenticationFailed");
  const anonymous = await azurite.send("GET", list);
  t.true([401, 403, 404].includes(anonymous.status), `anonymous: ${anonymous.status}`);
  const expired = await azurite.send(
    "GET",
    list,
    em.issueToken({ audience: STORAGE_AUDIENCE, lifetimeSeconds: 0 }),
  );
  t.true([401, 403].includes(expired.status), `expired: ${expired.status}`);
  const api = await new Promise<number>((resolve, reject) => {
    const req = request(
      `${em.url}/api/machines`,
      { ca: em.caPem, headers: { authorization: `Bearer ${azurite.storageToken()}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
  t.is(api, 401);
});

test("stop ends Azurite and removes its files; a second stop is harmless", async (t) => {
  const own = await startAzurite({ caFrom: em, persistence: "disk" });
  await own.createContainer("gone");
  await own.stop();
  await own.stop();
  await t.throwsAsync(own.send("GET", `${own.blobEndpoint}?comp=list`, own.storageToken()));
  t.false(existsSync(own.workDir), "certificate, key and data are removed");
  t.true(existsSync(own.caFile), "the emulator's CA file stays");
});
