/**
 * Certificates: a self-signed CA, server certificates it signs (SAN 127.0.0.1, ::1, localhost) for
 * the emulator and for services beside it (Azurite), and self-signed client certificates for
 * certificate-credential apps.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { isIP } from "node:net";
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  nullValue,
  octetString,
  oid,
  sequence,
  set,
  time,
  utf8String,
} from "./der";

const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const COMMON_NAME = "2.5.4.3";
const ORGANIZATION = "2.5.4.10";
const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";
const EXT_KEY_USAGE = "2.5.29.37";
const SUBJECT_ALT_NAME = "2.5.29.17";
const SUBJECT_KEY_ID = "2.5.29.14";
const AUTHORITY_KEY_ID = "2.5.29.35";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

/** A certificate with its private key, both PEM. */
export interface CertificateWithKey {
  certPem: string;
  keyPem: string;
}

/** A generated certificate and the SHA-256 thumbprint msal-node wants (hex). */
export interface GeneratedCertificate extends CertificateWithKey {
  thumbprintSha256: string;
}

/** What a certificate says about itself. */
interface CertificateSpec {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerPublicKey: KeyObject;
  isCa: boolean;
  altNames?: string[];
  extendedKeyUsage?: string;
  validDays: number;
}

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(ORGANIZATION), utf8String("pulumi-mde emulator"))),
    set(sequence(oid(COMMON_NAME), utf8String(commonName))),
  );
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

function altName(entry: string): Buffer {
  const family = isIP(entry);
  if (family === 0) return implicitPrimitive(2, Buffer.from(entry, "ascii"));
  const bytes = family === 4 ? Buffer.from(entry.split(".").map(Number)) : Buffer.from(ipv6Bytes(entry));
  return implicitPrimitive(7, bytes);
}

/** Expands an IPv6 text address (no embedded IPv4) to its 16 bytes. */
function ipv6Bytes(address: string): number[] {
  const [head = "", tail = ""] = address.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
  const groups = address.includes("::") ? [...headGroups, ...zeros, ...tailGroups] : headGroups;
  return groups.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

function buildCertificate(spec: CertificateSpec): string {
  const now = Date.now();
  // Backdated an hour so clocks slightly behind still accept it.
  const notBefore = new Date(now - 3_600_000);
  const notAfter = new Date(now + spec.validDays * 86_400_000);
  const algorithm = sequence(oid(SHA256_WITH_RSA), nullValue());
  const extensions: Buffer[] = [
    extension(BASIC_CONSTRAINTS, true, spec.isCa ? sequence(boolean(true)) : sequence()),
    extension(
      KEY_USAGE,
      true,
      // keyCertSign|cRLSign for a CA; digitalSignature|keyEncipherment otherwise.
      spec.isCa ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0xa0]), 5),
    ),
    extension(SUBJECT_KEY_ID, false, octetString(keyId(spec.publicKey))),
    extension(AUTHORITY_KEY_ID, false, sequence(implicitPrimitive(0, keyId(spec.issuerPublicKey)))),
  ];
  if (spec.extendedKeyUsage) {
    extensions.push(extension(EXT_KEY_USAGE, false, sequence(oid(spec.extendedKeyUsage))));
  }
  if (spec.altNames?.length) {
    extensions.push(extension(SUBJECT_ALT_NAME, false, sequence(...spec.altNames.map(altName))));
  }
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name(spec.issuer),
    sequence(time(notBefore), time(notAfter)),
    name(spec.subject),
    spec.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign("sha256", tbs, spec.signingKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const base64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN CERTIFICATE-----\n${base64.trim()}\n-----END CERTIFICATE-----\n`;
}

function rsaKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync("rsa", { modulusLength: 2048 });
}

function pemKey(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** TLS material for the server: a CA and a server certificate it issued. */
export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** The CA's private key (PEM), to issue more server certificates; absent for material read from files. */
  caKeyPem?: string;
}

const CA_NAME = "pulumi-mde emulator CA";

/** Names a server certificate is valid for unless told otherwise. */
const LOOPBACK_NAMES: readonly string[] = ["localhost", "127.0.0.1", "::1"];

/** Options of {@link issueServerCertificate}. */
export interface ServerCertificateOptions {
  /** DNS names and IP addresses (subject alternative names). @default ["localhost", "127.0.0.1", "::1"] */
  altNames?: string[];
  /** @default "localhost" */
  commonName?: string;
}

/**
 * Generates a CA and a server certificate for 127.0.0.1, ::1 and localhost.
 * RSA keys because every TLS client accepts them.
 */
export function generateTlsMaterial(): TlsMaterial {
  const ca = rsaKeyPair();
  const caPem = buildCertificate({
    subject: CA_NAME,
    issuer: CA_NAME,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    isCa: true,
    validDays: 3650,
  });
  const caKeyPem = pemKey(ca.privateKey);
  const server = issueServerCertificate({ caPem, caKeyPem });
  return { caPem, caKeyPem, certPem: server.certPem, keyPem: server.keyPem };
}

/**
 * Issues a server certificate (new RSA key, valid 825 days, server authentication) signed by a CA
 * of {@link generateTlsMaterial}, so a client trusting that CA alone also trusts a second service,
 * e.g. Azurite beside the emulator.
 */
export function issueServerCertificate(
  ca: { caPem: string; caKeyPem: string },
  options: ServerCertificateOptions = {},
): CertificateWithKey {
  const caKey = createPrivateKey(ca.caKeyPem);
  const server = rsaKeyPair();
  const certPem = buildCertificate({
    subject: options.commonName ?? "localhost",
    // The issuer name must equal the CA's subject byte for byte for chain building.
    issuer: CA_NAME,
    publicKey: server.publicKey,
    signingKey: caKey,
    issuerPublicKey: createPublicKey(caKey),
    isCa: false,
    altNames: options.altNames ?? [...LOOPBACK_NAMES],
    extendedKeyUsage: SERVER_AUTH,
    validDays: 825,
  });
  return { certPem, keyPem: pemKey(server.privateKey) };
}

let cachedTlsMaterial: TlsMaterial | undefined;

/**
 * TLS material shared by every emulator of this process that did not get files:
 * key generation is the slowest part of start-up, and tests start many emulators.
 */
export function sharedTlsMaterial(): TlsMaterial {
  cachedTlsMaterial ??= generateTlsMaterial();
  return cachedTlsMaterial;
}

/** SHA-256 thumbprint (hex) of a PEM certificate, as msal-node's `thumbprintSha256` expects. */
export function thumbprintSha256(certPem: string): string {
  return createHash("sha256").update(new X509Certificate(certPem).raw).digest("hex");
}

/** SHA-1 thumbprint (hex) of a PEM certificate, for clients that still send `x5t`. */
export function thumbprintSha1(certPem: string): string {
  return createHash("sha1").update(new X509Certificate(certPem).raw).digest("hex");
}

/**
 * Generates an RSA key pair and a self-signed client certificate, as a user would upload to an
 * app registration. Test and tool helper.
 */
export function generateCertificate(opts?: { commonName?: string }): GeneratedCertificate {
  const keys = rsaKeyPair();
  const commonName = opts?.commonName ?? "pulumi-mde client";
  const certPem = buildCertificate({
    subject: commonName,
    issuer: commonName,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    issuerPublicKey: keys.publicKey,
    isCa: false,
    extendedKeyUsage: CLIENT_AUTH,
    validDays: 365,
  });
  return { certPem, keyPem: pemKey(keys.privateKey), thumbprintSha256: thumbprintSha256(certPem) };
}

/** Public key of a PEM certificate or public key. */
export function publicKeyOf(pem: string): KeyObject {
  return pem.includes("CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}
