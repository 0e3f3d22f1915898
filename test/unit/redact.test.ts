import test from "ava";
import {
  clearRegisteredSecrets,
  REDACTED,
  redact,
  redactHeaders,
  redactUrl,
  registerSecret,
} from "../../src/core/redact";

const JWT =
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5zZWN1cml0eWNlbnRlci5taWNyb3NvZnQuY29tIn0.c2lnbmF0dXJl";

test("bearer tokens and JWT-looking strings are scrubbed", (t) => {
  t.is(redact("Authorization: Bearer abc.def-ghi"), `Authorization: Bearer ${REDACTED}`);
  t.false(redact(`token is ${JWT} here`).includes("eyJ0eXAi"));
  t.false(redact(`{"access_token":"${JWT}"}`).includes("c2lnbmF0dXJl"));
});

test("form and query secrets are scrubbed", (t) => {
  const form = "grant_type=client_credentials&client_id=abc&client_secret=hunter2~x&client_assertion=xyz";
  const out = redact(form);
  t.false(out.includes("hunter2"));
  t.false(out.includes("xyz"));
  t.true(out.includes("client_id=abc"));
  const sas = "https://blob.example/pkg.zip?sv=2020-01-01&se=2026-01-01&sp=r&sig=AbC%2Fdef%3D";
  const scrubbed = redact(sas);
  t.false(scrubbed.includes("AbC"));
  t.true(scrubbed.startsWith("https://blob.example/pkg.zip?"));
});

test("registered secrets are replaced wherever they appear, longest first", (t) => {
  clearRegisteredSecrets();
  registerSecret("abc"); // too short: ignored
  registerSecret("my-client-secret");
  registerSecret("my-client-secret-extended");
  t.is(redact("x my-client-secret-extended y my-client-secret z abc"), `x ${REDACTED} y ${REDACTED} z abc`);
  registerSecret(undefined);
  registerSecret("   ");
  clearRegisteredSecrets();
  t.is(redact("my-client-secret"), "my-client-secret");
});

test("headers are redacted by allow-list", (t) => {
  const out = redactHeaders({
    authorization: `Bearer ${JWT}`,
    "content-type": "application/json",
    "x-custom-key": "k",
    "Retry-After": "5",
    "set-cookie": ["a=b", "c=d"],
  });
  t.is(out.authorization, REDACTED);
  t.is(out["x-custom-key"], REDACTED);
  t.is(out["set-cookie"], REDACTED);
  t.is(out["content-type"], "application/json");
  t.is(out["Retry-After"], "5");
});

test("URLs keep allowed query parameters and lose the rest", (t) => {
  const out = redactUrl(
    "https://user:pw@api.example/api/machineactions?$filter=machineId eq 'x'&$top=5&code=abc&secret=zzz",
  );
  t.false(out.includes("pw@"));
  t.false(out.includes("zzz"));
  t.false(out.includes("code=abc"));
  t.true(out.includes("%24top=5"));
  t.true(out.includes("%24filter="));
  t.is(redactUrl("not a url client_secret=abc"), `not a url client_secret=${REDACTED}`);
});
