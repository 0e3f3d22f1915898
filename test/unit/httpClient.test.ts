/**
 * The HTTP layer against a scripted local HTTPS server: error bodies, failure classification and the
 * custom CA.
 */
import test from "ava";
import { httpClientFor } from "../../src/client/clientParts";
import { OPERATIONS } from "../../src/client/operations";
import { DefenderError } from "../../src/core/errors";
import { parseErrorBody } from "../../src/http/httpClient";
import { resolveSettings } from "../../src/settings/resolveSettings";
import { json, type Script, startScriptedServer } from "./helpers/scriptedServer";

const closers: (() => Promise<void>)[] = [];
test.after.always(async () => {
  await Promise.all(closers.map((c) => c()));
});

async function clientFor(script: Script, headersTimeoutMs?: number) {
  const server = await startScriptedServer(script);
  closers.push(server.close);
  const settings = resolveSettings(
    {
      "mde:accessToken": "static-token-value-1",
      "mde:apiEndpoint": server.url,
      "mde:caCertPath": server.tls.certPath,
    },
    {},
  );
  const lines: string[] = [];
  const client = httpClientFor(settings, {
    log: (l) => lines.push(l),
    ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
  });
  return { server, client, lines };
}

const get = {
  method: "GET" as const,
  path: "/api/machines/x",
  token: "tok-secret-123456",
  operation: OPERATIONS.getMachine,
};

test("parses the Defender error body into a typed error with correlation id and Retry-After", async (t) => {
  const { client } = await clientFor((_req, res) =>
    json(
      res,
      429,
      { error: { code: "TooManyRequests", message: "Rate limit is exceeded", target: "corr-42" } },
      { "Retry-After": "3" },
    ),
  );
  const error = await t.throwsAsync(client.requestJson(get), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_THROTTLED");
  t.is(error?.status, 429);
  t.is(error?.apiCode, "TooManyRequests");
  t.is(error?.correlationId, "corr-42");
  t.is(error?.retryAfterMs, 3000);
  t.is(error?.delivery, "answered");
});

test("sends the bearer token, JSON body and query; logs only redacted lines", async (t) => {
  const { server, client, lines } = await clientFor((_req, res) => json(res, 201, { id: "a1" }));
  const response = await client.requestJson<{ id: string }>({
    method: "POST",
    path: "/api/machines/abc/collectInvestigationPackage",
    query: { $top: 5, code: "secret-code", skipped: undefined },
    body: { Comment: "hi" },
    token: "tok-secret-123456",
    operation: OPERATIONS.collect,
  });
  t.is(response.body.id, "a1");
  const received = server.received[0]!;
  t.is(received.headers.authorization, "Bearer tok-secret-123456");
  t.is(received.body, '{"Comment":"hi"}');
  t.is(new URL(received.url, server.url).searchParams.get("$top"), "5");
  t.is(lines.length, 1);
  t.false(lines.join("\n").includes("tok-secret-123456"));
  t.false(lines.join("\n").includes("secret-code"));
  t.regex(lines[0]!, /-> 201/);
});

test("a reset after the request was sent is doubtful", async (t) => {
  const { client } = await clientFor((_req, res) => res.socket?.destroy());
  const error = await t.throwsAsync(client.requestJson(get), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_CONNECTION_RESET");
  t.is(error?.delivery, "doubtful");
});

test("a headers timeout is doubtful", async (t) => {
  const { client } = await clientFor(() => {
    // never answer
  }, 200);
  const error = await t.throwsAsync(client.requestJson(get), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_HTTP_TIMEOUT");
  t.is(error?.delivery, "doubtful");
});

test("connection refused and unresolvable hosts were certainly not delivered", async (t) => {
  const refused = httpClientFor(
    resolveSettings({ "mde:accessToken": "tok-abcdef", "mde:apiEndpoint": "http://127.0.0.1:9" }, {}),
  );
  const e1 = await t.throwsAsync(refused.requestJson(get), { instanceOf: DefenderError });
  t.is(e1?.code, "MDE_CONNECTION_REFUSED");
  t.is(e1?.delivery, "notDelivered");
  const dns = httpClientFor(
    resolveSettings(
      { "mde:accessToken": "tok-abcdef", "mde:apiEndpoint": "https://no-such-host.invalid" },
      {},
    ),
  );
  const e2 = await t.throwsAsync(dns.requestJson(get), { instanceOf: DefenderError });
  t.is(e2?.code, "MDE_DNS_FAILURE");
  t.is(e2?.delivery, "notDelivered");
  t.regex(e2?.message ?? "", /mde:apiEndpoint/);
});

test("a 2xx body that is not JSON is MDE_INVALID_RESPONSE; an empty body is undefined", async (t) => {
  const { client } = await clientFor((_req, res, i) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(i === 0 ? "<html>login</html>" : "");
  });
  const error = await t.throwsAsync(client.requestJson(get), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_INVALID_RESPONSE");
  t.regex(error?.message ?? "", /mde:apiEndpoint/);
  t.is((await client.requestJson(get)).body, undefined);
});

test("error bodies that are not Defender's shape still give a typed error", async (t) => {
  t.deepEqual(parseErrorBody("not json"), {});
  t.deepEqual(parseErrorBody('{"error":"x"}'), {});
  t.deepEqual(parseErrorBody('{"error":{"code":"NotFound","message":"m","target":"c"}}'), {
    apiCode: "NotFound",
    apiMessage: "m",
    correlationId: "c",
  });
  const { client } = await clientFor((_req, res) => {
    res.writeHead(502);
    res.end("Bad gateway");
  });
  const error = await t.throwsAsync(client.requestJson(get), { instanceOf: DefenderError });
  t.is(error?.code, "MDE_SERVER_ERROR");
  t.is(error?.status, 502);
});
