import test from "ava";
import { startEmulator } from "../src";
import { decodeBase64UrlStrict, decodeJwt, JwtError } from "../src/jwt";
import { isApiError, send, tokenFor } from "./support";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The same bytes spelled with other unused bits in the last character (Node decodes both alike). */
function otherTrailingBits(text: string): string {
  // With 4n+2 or 4n+3 characters the lowest bit of the last one is never used.
  if (text.length % 4 < 2) throw new Error("no unused bits");
  return text.slice(0, -1) + BASE64URL[BASE64URL.indexOf(text.at(-1) ?? "A") ^ 1];
}

test("strict base64url: the alphabet, no padding, possible lengths, canonical trailing bits", (t) => {
  t.deepEqual(decodeBase64UrlStrict("aGk"), Buffer.from("hi"));
  t.deepEqual(decodeBase64UrlStrict("-_8"), Buffer.from([0xfb, 0xff]));
  t.deepEqual(decodeBase64UrlStrict(""), Buffer.alloc(0));
  for (const bad of ["aGk=", "aGk==", "a+k", "a/k", "aG k", "aGk\n", "aGkx!", "aGkxa", "aGl", "é"]) {
    t.throws(() => decodeBase64UrlStrict(bad), { instanceOf: JwtError }, JSON.stringify(bad));
  }
  t.notThrows(() => decodeBase64UrlStrict("aGk"));
  t.is(otherTrailingBits("aGk"), "aGl");
});

test("decodeJwt refuses malformed parts with reason malformed", (t) => {
  const header = Buffer.from('{"alg":"RS256"}').toString("base64url");
  const payload = Buffer.from('{"sub":"x"}').toString("base64url");
  t.notThrows(() => decodeJwt(`${header}.${payload}.c2ln`));
  for (const token of [
    `${header}.${payload}`,
    `${header}=.${payload}.c2ln`,
    `${header}.${payload}.c2ln=`,
    `${header}.${payload.replace(/.$/, "+")}.c2ln`,
    `.${payload}.c2ln`,
    `${header}.${payload}.c2l`,
    `${header}.${payload}.c2lna`,
  ]) {
    const error = t.throws(() => decodeJwt(token), { instanceOf: JwtError }, token);
    t.is(error?.reason, "malformed");
  }
});

test("the API answers 401 Unauthorized to a token that is valid but for its spelling", async (t) => {
  const em = await startEmulator();
  t.teardown(() => em.close());
  const token = await tokenFor(em);
  const path = `/api/machines/${em.fleet[0]!.id}`;
  t.is((await send(em, "GET", path, { token })).status, 200);
  const [header, payload, signature] = token.split(".") as [string, string, string];
  for (const mangled of [
    `${token}=`,
    `${header}.${payload}.${signature}==`,
    `${header}=.${payload}.${signature}`,
    `${header}.${payload}.${otherTrailingBits(signature)}`,
    `${header}.${payload.slice(0, 10)}*${payload.slice(10)}.${signature}`,
    `${header}.${payload}.${signature}A`,
  ]) {
    const answer = await send(em, "GET", path, { token: mangled });
    t.is(answer.status, 401, mangled.slice(-12));
    t.true(isApiError(answer, "Unauthorized"));
  }
});
