import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { Agent, request } from "undici";
import { startEmulator } from "../src";
import { isLoopbackHost } from "../src/adminAuth";
import { isApiError, send, tokenFor } from "./support";

test("on loopback the admin API is open; the token exists anyway", async (t) => {
  const em = await startEmulator();
  t.teardown(() => em.close());
  t.regex(em.adminToken, /^[0-9a-f]{64}$/);
  t.is((await send(em, "GET", "/_emulator/health")).status, 200);
});

test("requireAdminToken: 401 without the token, 200 with it as Bearer or x-emulator-admin-token", async (t) => {
  const em = await startEmulator({ requireAdminToken: true, adminToken: "admin-secret-1" });
  t.teardown(() => em.close());
  t.is(em.adminToken, "admin-secret-1");
  const refused = await send(em, "POST", "/_emulator/reset");
  t.is(refused.status, 401);
  t.true(isApiError(refused, "Unauthorized"));
  t.regex(refused.headers["www-authenticate"] ?? "", /^Bearer/);
  t.is((await send(em, "GET", "/_emulator/calls", { token: "wrong" })).status, 401);
  t.is(
    (await send(em, "GET", "/_emulator/calls", { headers: { "x-emulator-admin-token": "admin-secret" } }))
      .status,
    401,
  );
  t.is((await send(em, "GET", "/_emulator/health", { token: "admin-secret-1" })).status, 200);
  const viaHeader = await send(em, "GET", "/_emulator/calls", {
    headers: { "x-emulator-admin-token": "admin-secret-1" },
  });
  t.is(viaHeader.status, 200);
  t.true(
    (viaHeader.json as { route: string; status: number }[]).some(
      (c) => c.route === "admin" && c.status === 401,
    ),
    "refused admin calls are recorded",
  );
  const apiToken = await tokenFor(em);
  t.is(
    (await send(em, "GET", "/api/machines", { token: apiToken })).status,
    200,
    "the API itself is unaffected",
  );
});

test("listening on 0.0.0.0 requires the admin token; URLs and links use loopback", async (t) => {
  const em = await startEmulator({ host: "0.0.0.0" });
  t.teardown(() => em.close());
  t.regex(em.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.is((await send(em, "GET", "/_emulator/health")).status, 401);
  t.is((await send(em, "GET", "/_emulator/health", { token: em.adminToken })).status, 200);
  t.is((await send(em, "GET", "/api/machines", { token: await tokenFor(em) })).status, 200);
});

test("which listen addresses count as loopback", (t) => {
  for (const host of [
    "127.0.0.1",
    "127.1.2.3",
    "localhost",
    "::1",
    "[::1]",
    "::ffff:127.0.0.1",
    "0:0:0:0:0:0:0:1",
  ]) {
    t.true(isLoopbackHost(host), host);
  }
  for (const host of [
    "0.0.0.0",
    "::",
    "192.168.1.10",
    "10.0.0.1",
    "example.com",
    "::ffff:10.0.0.1",
    "128.0.0.1",
  ]) {
    t.false(isLoopbackHost(host), host);
  }
});

test("the CLI on 0.0.0.0 warns it is reachable from the network, prints the admin token and requires it", async (t) => {
  const cli = join(__dirname, "..", "src", "cli.js");
  const child = spawn(
    process.execPath,
    [cli, "--host", "0.0.0.0", "--admin-token", "cli-admin-token", "--quiet"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  while (!output.includes("Requests:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const url = /export MDE_API_ENDPOINT=(\S+)/.exec(output)?.[1] ?? "";
  const caFile = /export NODE_EXTRA_CA_CERTS=(\S+)/.exec(output)?.[1] ?? "";
  const agent = new Agent({ connect: { ca: readFileSync(caFile, "utf8") } });
  t.teardown(() => agent.close());
  const refused = await request(`${url}/_emulator/health`, { dispatcher: agent });
  await refused.body.text();
  const allowed = await request(`${url}/_emulator/health`, {
    dispatcher: agent,
    headers: { "x-emulator-admin-token": "cli-admin-token" },
  });
  await allowed.body.text();
  child.kill("SIGTERM");
  t.is(await exited, 0);
  t.is(refused.statusCode, 401);
  t.is(allowed.statusCode, 200);
  t.regex(
    output,
    /WARNING: listening on 0\.0\.0\.0: the API and the admin API are reachable from the network/,
  );
  t.true(output.includes("export MDE_EMULATOR_ADMIN_TOKEN=cli-admin-token"));
  t.regex(url, /^https:\/\/127\.0\.0\.1:/);
});
