/**
 * Text from outside (the Azure CLI's stderr, a token endpoint's error body, the Defender API's and the
 * download host's error answers) never carries a credential into an error message: JWTs on one line or
 * wrapped over lines at any width, opaque tokens, and token fields in JSON or form encoding are fed
 * through every path that quotes such text, and no 16-character fragment of any of them comes out.
 * Nothing is registered for redaction first: the quoting itself must be safe.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { Agent } from "undici";
import { authError } from "../../src/auth/authErrors";
import { createAzureCliAcquire } from "../../src/auth/azureCliAcquire";
import { createMsalNetworkClient } from "../../src/auth/msalNetworkClient";
import { httpClientFor } from "../../src/client/clientParts";
import { OPERATIONS } from "../../src/client/operations";
import { DefenderError } from "../../src/core/errors";
import { clearRegisteredSecrets, quoteOutside } from "../../src/core/redact";
import { transferStatusError } from "../../src/resources/evidence/transferStatusError";
import { resolveSettings } from "../../src/settings/resolveSettings";
import { startScriptedServer } from "./helpers/scriptedServer";

const b64url = (bytes: number) => randomBytes(bytes).toString("base64url");
const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const JWT = `${part({ typ: "JWT", alg: "RS256", kid: b64url(20) })}.${part({
  aud: "https://api.securitycenter.microsoft.com",
  tid: "11111111-2222-3333-4444-555555555555",
  upn: "responder@contoso.com",
  scp: "Machine.CollectForensics Machine.Read",
  uti: b64url(16),
})}.${b64url(256)}`;
const OPAQUE = `0.AXoA${b64url(90)}`;
const CLIENT_SECRET = `Xy8Q~${randomBytes(30).toString("base64").replace(/[+/=]/g, "a").slice(0, 34)}`;
const SECRETS = { jwt: JWT, opaque: OPAQUE, "client secret": CLIENT_SECRET };
const WIDTHS = [16, 20, 33, 64, 76, 80, 120, 200];

function wrap(text: string, width: number, indent = ""): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(indent + text.slice(i, i + width));
  return lines.join("\n");
}

/** What an outside party might print: each secret wrapped at every width, alone, after words, in fields. */
function hostileTexts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, secret] of Object.entries(SECRETS)) {
    out[`${name} on one line`] = `ERROR: the token ${secret} was refused`;
    out[`${name} alone first`] = `${secret}\nERROR: refused`;
    for (const width of WIDTHS) {
      out[`${name} wrapped at ${width}`] = wrap(secret, width);
      out[`${name} wrapped at ${width} after words`] = `ERROR: token follows\n${wrap(secret, width, "  ")}`;
      out[`${name} wrapped at ${width} after ERROR:`] = `ERROR: ${wrap(secret, width)}`;
    }
    out[`${name} as accessToken JSON`] = `{"accessToken": "${secret}", "expiresOn": "2030-01-01 00:00:00"}`;
    out[`${name} as pretty JSON`] = JSON.stringify({ accessToken: secret, refresh_token: secret }, null, 2);
    out[`${name} as access_token JSON`] =
      `{"error":"x","access_token":"${secret}","error_description":"bad"}`;
    out[`${name} as refresh_token form`] =
      `ERROR: grant_type=refresh_token&refresh_token=${secret}&client_id=x`;
    out[`${name} as opaque credential`] = `ERROR: credential ${secret}`;
  }
  return out;
}

/** Asserts that no 16-character fragment of any secret appears in `text`. */
function assertNoFragment(t: ExecutionContext, text: string, where: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    for (let i = 0; i + 16 <= secret.length; i++) {
      const fragment = secret.slice(i, i + 16);
      if (text.includes(fragment)) {
        t.fail(`${where}: a 16-character fragment of the ${name} at offset ${i} appears in: ${text}`);
        return;
      }
    }
  }
  t.pass();
}

test.before(() => clearRegisteredSecrets());

test("quoteOutside keeps words, error codes, hosts and GUIDs, and drops token-like runs", (t) => {
  t.is(
    quoteOutside("ERROR: AADSTS50076: Due to a configuration change made by your administrator"),
    "ERROR: AADSTS50076: Due to a configuration change made by your administrator",
  );
  t.regex(
    quoteOutside("Tenant 11111111-2222-3333-4444-555555555555 at login.microsoftonline.com"),
    /11111111-2222-3333-4444-555555555555 at login\.microsoftonline\.com/,
  );
  t.is(quoteOutside("InvalidAuthenticationTokenTenant"), "InvalidAuthenticationTokenTenant");
  t.is(quoteOutside(`x ${OPAQUE} y`), "x REDACTED y");
  t.true(quoteOutside("a".repeat(500)).length <= 203);
  t.is(quoteOutside("line\u001b[2Jone\u202e"), "line [2Jone");
});

test("az stderr: no fragment of a token in the error, whatever the CLI prints", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "mde-az-leak-"));
  for (const [label, text] of Object.entries(hostileTexts())) {
    const file = path.join(dir, "stderr.txt");
    writeFileSync(file, text);
    const command = path.join(dir, "az");
    writeFileSync(
      command,
      `#!/usr/bin/env node\nprocess.stderr.write(require("node:fs").readFileSync(${JSON.stringify(file)}, "utf8")); process.exit(1);\n`,
      { mode: 0o755 },
    );
    const e = await createAzureCliAcquire({
      resource: "https://api.securitycenter.microsoft.com",
      command,
    })().catch((error: unknown) => error);
    if (!(e instanceof DefenderError)) {
      t.fail(`${label}: expected a DefenderError`);
      continue;
    }
    assertNoFragment(t, e.message, `az stderr, ${label}`);
  }
});

test("token endpoint: MSAL's error text and a 5xx error body never carry a token fragment", async (t) => {
  const texts = hostileTexts();
  for (const [label, text] of Object.entries(texts)) {
    const msal = authError(
      { errorCode: "invalid_grant", errorMessage: `AADSTS70000: ${text}` },
      "client secret",
    );
    assertNoFragment(t, msal.message, `MSAL AADSTS error, ${label}`);
    const plain = authError({ errorCode: "invalid_grant", errorMessage: text }, "client secret");
    assertNoFragment(t, plain.message, `MSAL error, ${label}`);
  }
  const bodies = Object.values(texts);
  const server = await startScriptedServer((_req, res, i) => {
    const text = bodies[i % bodies.length] ?? "";
    res.writeHead(i % 2 === 0 ? 500 : 429, { "content-type": "application/json" });
    res.end(i % 3 === 0 ? text : JSON.stringify({ error: text, error_description: text }));
  });
  t.teardown(() => server.close());
  const agent = new Agent({ connect: { ca: server.tls.certPem } });
  t.teardown(() => agent.close());
  const network = createMsalNetworkClient(agent);
  for (let i = 0; i < bodies.length; i++) {
    const e = await network
      .sendPostRequestAsync(`${server.url}/tenant/oauth2/v2.0/token`, { body: "grant_type=x" })
      .catch((error: unknown) => error);
    t.true(e instanceof DefenderError);
    assertNoFragment(t, (e as Error).message, `token endpoint body ${i}`);
  }
});

test("Defender API and download host error answers never carry a token fragment", async (t) => {
  const bodies = Object.values(hostileTexts());
  const server = await startScriptedServer((_req, res, i) => {
    const text = bodies[i % bodies.length] ?? "";
    res.writeHead(400 + (i % 5), { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: text, message: text, target: text } }));
  });
  t.teardown(() => server.close());
  const settings = resolveSettings(
    {
      "mde:accessToken": "static-token-value-1",
      "mde:apiEndpoint": server.url,
      "mde:caCertPath": server.tls.certPath,
    },
    {},
  );
  const client = httpClientFor(settings, {});
  for (let i = 0; i < bodies.length; i++) {
    const e = await client
      .requestJson({ method: "GET", path: "/api/machines/x", token: "tok", operation: OPERATIONS.getMachine })
      .catch((error: unknown) => error);
    t.true(e instanceof DefenderError);
    assertNoFragment(t, (e as Error).message, `Defender API body ${i}`);
  }
  for (const [label, text] of Object.entries(hostileTexts())) {
    const oneLine = text.replace(/\n/g, " ");
    const e = transferStatusError(
      403,
      { "x-ms-error-code": oneLine, "x-ms-request-id": oneLine },
      "GET <package link on host>",
      undefined,
    );
    assertNoFragment(t, e.message, `download host headers, ${label}`);
    t.is(e.apiCode, undefined);
  }
});
