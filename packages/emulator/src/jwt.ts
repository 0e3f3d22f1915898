/**
 * JSON Web Tokens: RS256 signing of access tokens, and verification of RS256/PS256/ES256
 * assertions. Only what Entra ID client credentials need; no general JOSE library.
 */
import { constants, type KeyObject, sign, verify } from "node:crypto";

/** Decoded JWT parts. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Why a JWT was refused. */
export type JwtFailure = "malformed" | "unsupportedAlgorithm" | "badSignature";

/** Thrown by {@link decodeJwt} and {@link verifyJwtSignature}. */
export class JwtError extends Error {
  /** Stable reason. */
  readonly reason: JwtFailure;
  constructor(reason: JwtFailure, message: string) {
    super(message);
    this.name = "JwtError";
    this.reason = reason;
  }
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes unpadded base64url strictly (RFC 7515 section 2): Node's decoder skips characters
 * outside the alphabet and ignores padding and stray bits, so a mangled token would decode to
 * something. Refused: characters outside `A-Z a-z 0-9 - _`, `=` padding, a length of 4n+1, and
 * non-zero unused bits in the last character (a second spelling of the same bytes).
 * @throws JwtError `malformed`
 */
export function decodeBase64UrlStrict(text: string, what = "JWT part"): Buffer {
  if (!BASE64URL.test(text)) {
    const bad = text.includes("=") ? "padding '='" : "characters outside the base64url alphabet";
    throw new JwtError("malformed", `${what} contains ${bad}`);
  }
  if (text.length % 4 === 1) throw new JwtError("malformed", `${what} has an impossible base64url length`);
  const bytes = Buffer.from(text, "base64url");
  if (bytes.toString("base64url") !== text) {
    throw new JwtError("malformed", `${what} is not canonical base64url (non-zero trailing bits)`);
  }
  return bytes;
}

function parsePart(part: string, what: string): Record<string, unknown> {
  if (part === "") throw new JwtError("malformed", `JWT ${what} is empty`);
  const parsed: unknown = JSON.parse(decodeBase64UrlStrict(part, `JWT ${what}`).toString("utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new JwtError("malformed", "JWT part is not a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** Splits and parses a compact JWT without verifying it. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("malformed", "JWT must have three parts");
  const [header = "", payload = "", signature = ""] = parts;
  try {
    return {
      header: parsePart(header, "header"),
      payload: parsePart(payload, "payload"),
      signingInput: `${header}.${payload}`,
      signature: decodeBase64UrlStrict(signature, "JWT signature"),
    };
  } catch (error) {
    if (error instanceof JwtError) throw error;
    throw new JwtError("malformed", "JWT part is not base64url JSON");
  }
}

/** Signs `payload` with RS256. */
export function signJwtRs256(
  payload: Record<string, unknown>,
  privateKey: KeyObject,
  header: Record<string, unknown> = {},
): string {
  const signingInput = `${base64UrlJson({ typ: "JWT", alg: "RS256", ...header })}.${base64UrlJson(payload)}`;
  const signature = sign("sha256", Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}

/** Verifies the signature of a decoded JWT with `publicKey`; throws {@link JwtError} when it fails. */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject): void {
  const data = Buffer.from(jwt.signingInput);
  let valid: boolean;
  switch (jwt.header.alg) {
    case "RS256":
      valid = verify("sha256", data, publicKey, jwt.signature);
      break;
    case "PS256":
      valid = verify(
        "sha256",
        data,
        {
          key: publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        jwt.signature,
      );
      break;
    case "ES256":
      valid = verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, jwt.signature);
      break;
    default:
      throw new JwtError("unsupportedAlgorithm", `JWT algorithm ${String(jwt.header.alg)} is not supported`);
  }
  if (!valid) throw new JwtError("badSignature", "JWT signature does not verify");
}
