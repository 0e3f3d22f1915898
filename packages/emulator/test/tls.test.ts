import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { promisify } from "node:util";
import test from "ava";
import { request } from "undici";
import { generateTlsMaterial, startEmulator } from "../src";
import { send } from "./support";

const run = promisify(execFile);

test("HTTPS with a generated CA: SANs 127.0.0.1, ::1, localhost; the CA is written to a file", async (t) => {
  const em = await startEmulator();
  t.teardown(() => em.close());
  t.regex(em.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.is(readFileSync(em.caFile, "utf8"), em.caPem);
  const ca = new X509Certificate(em.caPem);
  t.true(ca.ca);
  const answer = await send(em, "GET", "/_emulator/health");
  t.is(answer.status, 200);
  const socketCert = await new Promise<X509Certificate>((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: Number(new URL(em.url).port), ca: em.caPem }, () => {
      resolve(new X509Certificate(socket.getPeerX509Certificate()!.raw));
      socket.end();
    });
    socket.on("error", reject);
  });
  t.true(socketCert.verify(ca.publicKey));
  t.regex(socketCert.subjectAltName ?? "", /DNS:localhost/);
  t.regex(socketCert.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  t.regex(socketCert.subjectAltName ?? "", /IP Address:0:0:0:0:0:0:0:1/);
});

test("a client that does not trust the CA is refused", async (t) => {
  const em = await startEmulator();
  t.teardown(() => em.close());
  await t.throwsAsync(request(`${em.url}/_emulator/health`), { message: /certificate|self.signed|verify/i });
});

test("NODE_EXTRA_CA_CERTS makes a plain Node process trust the emulator", async (t) => {
  const em = await startEmulator();
  t.teardown(() => em.close());
  const script = `fetch(${JSON.stringify(`${em.url}/_emulator/health`)}).then(r => console.log(r.status), e => { console.log(String(e.cause ?? e)); })`;
  const { stdout } = await run(process.execPath, ["-e", script], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: em.caFile },
  });
  t.is(stdout.trim(), "200");
});

test("a fixed port on request, and certificates loaded from files", async (t) => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), "tls-"));
  const material = generateTlsMaterial();
  const files = {
    certPath: join(dir, "cert.pem"),
    keyPath: join(dir, "key.pem"),
    caPath: join(dir, "ca.pem"),
  };
  writeFileSync(files.certPath, material.certPem);
  writeFileSync(files.keyPath, material.keyPem);
  writeFileSync(files.caPath, material.caPem);
  const em = await startEmulator({ port, tls: files, caFile: join(dir, "written-ca.pem") });
  t.teardown(() => em.close());
  t.is(em.url, `https://127.0.0.1:${port}`);
  t.is(em.caPem, material.caPem);
  t.is(readFileSync(join(dir, "written-ca.pem"), "utf8"), material.caPem);
  t.is((await send(em, "GET", "/_emulator/health")).status, 200);
});
