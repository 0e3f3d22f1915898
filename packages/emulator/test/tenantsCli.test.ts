import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { Agent, request } from "undici";
import { parseCliOptions } from "../src/cli";
import { jwtPayload, SCOPE } from "./support";

test("the CLI takes --tenants and prints each further tenant as a connection profile that signs in", async (t) => {
  t.is(parseCliOptions(["--tenants", "3"]).options.tenants, 3);
  t.is(parseCliOptions([]).options.tenants, undefined);
  for (const bad of ["0", "1.5", "101", "x"]) t.throws(() => parseCliOptions(["--tenants", bad]));

  const child = spawn(
    process.execPath,
    [join(__dirname, "..", "src", "cli.js"), "--tenants", "2", "--quiet"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  while (!output.includes("Requests:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const setting = (key: string) =>
    new RegExp(`pulumi config set (?:--secret )?--path mde:profiles\\.tenant1\\.${key} '?([^'\\s]+)'?`).exec(
      output,
    )?.[1] ?? "";
  const url = /export MDE_API_ENDPOINT=(\S+)/.exec(output)?.[1] ?? "";
  const ca = /export NODE_EXTRA_CA_CERTS=(\S+)/.exec(output)?.[1] ?? "";
  const agent = new Agent({ connect: { ca: readFileSync(ca, "utf8") } });
  t.teardown(() => agent.close());
  const answer = await request(`${url}/${setting("tenantId")}/oauth2/v2.0/token`, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: setting("clientId"),
      client_secret: setting("clientSecret"),
      scope: SCOPE,
    }).toString(),
  });
  t.is(answer.statusCode, 200, "the printed profile signs in to tenant 1");
  const body = (await answer.body.json()) as { access_token: string };
  t.is(jwtPayload(body.access_token).tid, setting("tenantId"));
  t.not(setting("tenantId"), /export AZURE_TENANT_ID=(\S+)/.exec(output)?.[1]);
  child.kill("SIGTERM");
  t.is(await exited, 0);
});
