/**
 * The client certificate file: one PEM holding the certificate and its unencrypted private key. Read the
 * same way when settings are checked at preview and when the token provider signs with it, so a file
 * that passes `pulumi preview` cannot fail at the first token request.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { configError } from "../core/errors";
import { registerSecret } from "../core/redact";

/** What MSAL needs of a certificate credential. */
export interface ClientCertificate {
  /** SHA-256 thumbprint, lower-case hex without colons. */
  thumbprintSha256: string;
  /** The private key as unencrypted PKCS#8 PEM (registered for redaction). */
  privateKey: string;
  /** The certificate PEM (sent as `x5c`). */
  x5c: string;
}

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_PEM = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/**
 * Reads and checks a certificate file.
 * @param key - The configuration key that named the file, for messages.
 * @param path - The file.
 * @param readPem - Reads the file as text. @default readFileSync as UTF-8
 * @throws DefenderError `MDE_CONFIG_INVALID` naming the key and what is wrong: no certificate, no key,
 *   an encrypted key, a certificate or key that cannot be parsed, a key that does not match.
 */
export function readClientCertificate(
  key: string,
  path: string,
  readPem: (path: string) => string = (p) => readFileSync(p, "utf8"),
): ClientCertificate {
  let pem: string;
  try {
    pem = readPem(path);
  } catch (e) {
    throw configError(
      key,
      "a readable PEM file with the certificate and its private key",
      path,
      `Reading it failed (${(e as NodeJS.ErrnoException).code ?? "error"}).`,
    );
  }
  const certPem = CERTIFICATE_PEM.exec(pem)?.[0];
  const keyMatch = KEY_PEM.exec(pem);
  if (!certPem || !keyMatch) {
    throw configError(
      key,
      "a PEM file containing both the certificate and its (unencrypted) private key",
      path,
      `The file lacks ${certPem ? "a private key" : "a certificate"}: concatenate the certificate and key PEM blocks into one file.`,
    );
  }
  if (keyMatch[1] === "ENCRYPTED PRIVATE KEY") {
    throw configError(
      key,
      "an unencrypted private key",
      path,
      "The private key is encrypted with a passphrase, which cannot be given here: export it without one " +
        "(e.g. `openssl pkcs8 -topk8 -nocrypt -in key.pem`) and keep the file readable only by you.",
    );
  }
  registerSecret(keyMatch[0]);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch {
    throw configError(
      key,
      "a valid X.509 certificate in PEM",
      path,
      "The certificate block could not be parsed.",
    );
  }
  let privateKey: string;
  try {
    // MSAL signs with the key as given; PKCS#8 is the form every Node version accepts for PS256/RS256.
    const keyObject = createPrivateKey(keyMatch[0]);
    privateKey = keyObject.export({ format: "pem", type: "pkcs8" }).toString();
    if (!certificate.checkPrivateKey(keyObject)) {
      throw configError(
        key,
        "the private key of the certificate in the same file",
        path,
        "The key does not belong to the certificate: put the matching key beside it.",
      );
    }
  } catch (error) {
    if ((error as { code?: string }).code === "MDE_CONFIG_INVALID") throw error;
    throw configError(key, "a valid private key in PEM", path, "The private key block could not be parsed.");
  }
  registerSecret(privateKey);
  const thumbprintSha256 = certificate.fingerprint256.replaceAll(":", "").toLowerCase();
  return { thumbprintSha256, privateKey, x5c: certPem };
}
