import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { Agent, request } from "undici";
import { parseCliOptions } from "../src/cli";

const cli = join(__dirname, "..", "src", "cli.js");

test("flags map to emulator options", (t) => {
  const { options } = parseCliOptions([
    "--port",
    "8443",
    "--time-scale",
    "60",
    "--token-lifetime",
    "600",
    "--fleet",
    "fleet.json",
    "--duplicate",
    "returnExisting",
    "--no-rate-limits",
    "--pending",
    "5",
  ]);
  t.is(options.port, 8443);
  t.is(options.timeScale, 60);
  t.is(options.tokenLifetimeSeconds, 600);
  t.is(options.fleet, "fleet.json");
  t.is(options.duplicateCollection, "returnExisting");
  t.false(options.rateLimits);
  t.is(options.lifecycle?.pendingSeconds, 5);
  t.is(options.host, "127.0.0.1");
  t.throws(() => parseCliOptions(["--duplicate", "maybe"]));
  t.throws(() => parseCliOptions(["--bogus"]));
});

test("the CLI prints the setup, logs requests without secrets, and stops on SIGTERM", async (t) => {
  const child = spawn(process.execPath, [cli, "--time-scale", "10", "--client-secret", "cli-test-secret"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  while (!output.includes("Requests:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const value = (name: string) => new RegExp(`export ${name}=(\\S+)`).exec(output)?.[1] ?? "";
  for (const name of [
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "MDE_API_ENDPOINT",
    "AZURE_AUTHORITY_HOST",
    "NODE_EXTRA_CA_CERTS",
  ]) {
    t.truthy(value(name), name);
  }
  for (const key of [
    "mde:tenantId",
    "mde:clientId",
    "--secret mde:clientSecret",
    "mde:apiEndpoint",
    "mde:authorityHost",
  ]) {
    t.true(output.includes(`pulumi config set ${key} `), key);
  }
  const url = value("MDE_API_ENDPOINT");
  const tenant = value("AZURE_TENANT_ID");
  const agent = new Agent({ connect: { ca: readFileSync(value("NODE_EXTRA_CA_CERTS"), "utf8") } });
  t.teardown(() => agent.close());
  const token = await request(`${url}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: value("AZURE_CLIENT_ID"),
      client_secret: "cli-test-secret",
      scope: "https://api.securitycenter.microsoft.com/.default",
    }).toString(),
  });
  const accessToken = ((await token.body.json()) as { access_token: string }).access_token;
  const machines = await request(`${url}/api/machines`, {
    dispatcher: agent,
    headers: { authorization: `Bearer ${accessToken}` },
  });
  t.is(machines.statusCode, 200);
  await machines.body.text();
  await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGTERM");
  t.is(await exited, 0);
  const logs = output.slice(output.indexOf("Requests:"));
  t.regex(logs, /GET \/api\/machines -> 200/);
  t.false(logs.includes(accessToken));
  t.false(logs.includes("cli-test-secret"), "the secret appears only in the setup block");
  t.is(output.split("cli-test-secret").length - 1, 2, "printed once as env var, once as pulumi config");
});
