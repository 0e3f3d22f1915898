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

function parsePart(part: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
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
      header: parsePart(header),
      payload: parsePart(payload),
      signingInput: `${header}.${payload}`,
      signature: Buffer.from(signature, "base64url"),
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
