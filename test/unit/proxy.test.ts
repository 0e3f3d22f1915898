/**
 * HTTPS_PROXY: requests tunnel through the proxy with CONNECT, and the custom CA still verifies the
 * origin inside the tunnel. Its own file: the proxy comes from this process's environment.
 */
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import test from "ava";
import { dispatcherFor, httpClientFor } from "../../src/client/clientParts";
import { OPERATIONS } from "../../src/client/operations";
import { closeDispatchers } from "../../src/http/dispatcher";
import { resolveSettings } from "../../src/settings/resolveSettings";
import { json, startScriptedServer } from "./helpers/scriptedServer";

test("requests go through HTTPS_PROXY with CONNECT and verify the origin with mde:caCertPath", async (t) => {
  const origin = await startScriptedServer((_req, res) => json(res, 200, { id: "m1" }));
  const tunnels: string[] = [];
  const proxy = createServer();
  proxy.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    // The proxy resolves names itself: the test origin's name lives only here.
    const upstream = connect(Number(port), host === "origin.mde.test" ? "127.0.0.1" : host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  process.env.HTTPS_PROXY = proxyUrl;
  // undici skips the proxy for loopback only when NO_PROXY says so; make sure it does not.
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  try {
    const named = origin.url.replace("127.0.0.1", "origin.mde.test");
    const settings = resolveSettings(
      {
        "mde:accessToken": "static-token-proxy",
        "mde:apiEndpoint": named,
        "mde:caCertPath": origin.tls.certPath,
      },
      {},
    );
    t.is(dispatcherFor(settings).constructor.name, "LoopbackBypass");
    const client = httpClientFor(settings);
    const response = await client.requestJson<{ id: string }>({
      method: "GET",
      path: "/api/machines/m1",
      token: "static-token-proxy",
      operation: OPERATIONS.getMachine,
    });
    t.is(response.body.id, "m1");
    t.deepEqual(tunnels, [new URL(named).host]);
  } finally {
    delete process.env.HTTPS_PROXY;
    await closeDispatchers();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await origin.close();
  }
});

test("a loopback endpoint never goes through a proxy: the bearer token is not handed to it", async (t) => {
  const origin = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ id: "m1", auth: req.headers.authorization ? "yes" : "no" }));
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  const seenByProxy: string[] = [];
  const proxy = createServer((req, res) => {
    seenByProxy.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
    res.end("{}");
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  process.env.HTTPS_PROXY = process.env.HTTP_PROXY;
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  try {
    const endpoint = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    const settings = resolveSettings(
      { "mde:accessToken": "token-never-to-proxy", "mde:apiEndpoint": endpoint },
      {},
    );
    const response = await httpClientFor(settings).requestJson<{ id: string; auth: string }>({
      method: "GET",
      path: "/api/machines/m1",
      token: "token-never-to-proxy",
      operation: OPERATIONS.getMachine,
    });
    t.deepEqual(response.body, { id: "m1", auth: "yes" });
    t.deepEqual(seenByProxy, [], "the proxy saw nothing");
  } finally {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    await closeDispatchers();
    await new Promise((resolve) => proxy.close(resolve));
    await new Promise((resolve) => origin.close(resolve));
  }
});
