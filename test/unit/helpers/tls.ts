/** Test TLS material: a self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Paths and PEMs of a generated certificate. */
export interface TestTls {
  dir: string;
  certPath: string;
  keyPath: string;
  /** Certificate followed by key, the form `mde:clientCertificatePath` takes. */
  combinedPath: string;
  certPem: string;
  keyPem: string;
}

/** Generates a fresh self-signed certificate (also usable as a client certificate). */
export function makeTestTls(commonName = "127.0.0.1"): TestTls {
  const dir = mkdtempSync(join(tmpdir(), "mde-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:origin.mde.test",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
    ],
    { stdio: "ignore" },
  );
  const certPem = readFileSync(certPath, "utf8");
  const keyPem = readFileSync(keyPath, "utf8");
  const combinedPath = join(dir, "combined.pem");
  writeFileSync(combinedPath, certPem + keyPem);
  return { dir, certPath, keyPath, combinedPath, certPem, keyPem };
}
