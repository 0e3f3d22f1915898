/**
 * A stand-in for the Azure CLI in tests: an `az` executable (a small Node script) in a temp bin folder,
 * put first on the PATH of the provider process. `az account get-access-token` signs the configured
 * user in at the emulator's token endpoint with the password grant (as the real CLI refreshes with its
 * cached sign-in), asking for `<--resource>/.default` in `--tenant` (or `organizations`), and prints the
 * JSON the CLI prints. Every invocation appends its arguments (never a secret) to a count file.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { Emulator } from "pulumi-mde-emulator";
import { AZURE_CLI_CLIENT_ID } from "pulumi-mde-emulator";
import { emulatorConfig, engineEnv } from "pulumi-mde-harness";

/** What the stand-in does; written to its config file, changeable between runs. */
export interface StandInAzConfig {
  /** False: answers like a CLI nobody signed in to. */
  signedIn: boolean;
  /** The user to sign in. */
  upn: string;
  /** The user's password at the emulator. */
  password: string;
  /** Emulator origin serving `/{tenant}/oauth2/v2.0/token`. */
  authorityHost: string;
  /** The emulator's CA (PEM file). */
  caFile: string;
  /** Extra delay before answering, in milliseconds (to test the timeout). */
  delayMs?: number;
  /**
   * Signs in at this tenant whatever `--tenant` says (a CLI signed in elsewhere, or a wrapper script).
   * @default the `--tenant` argument, else `organizations`
   */
  tenant?: string;
}

/** A stand-in `az` on disk. */
export interface StandInAz {
  /** Folder holding `az`; put it first on PATH. */
  readonly binDir: string;
  /** The executable itself. */
  readonly command: string;
  /** The arguments of every invocation so far, oldest first. */
  invocations(): string[][];
  /** Changes what the next invocations do. */
  configure(update: Partial<StandInAzConfig>): void;
  /** Environment for a stack whose provider must find this `az` first on PATH. */
  stackEnv(): Record<string, string>;
  /** Removes the folder (config with the password included). */
  dispose(): void;
}

const SCRIPT = String.raw`#!/usr/bin/env node
"use strict";
// Stand-in Azure CLI for pulumi-mde tests: only "az account get-access-token".
const fs = require("node:fs");
const https = require("node:https");
const path = require("node:path");
const config = JSON.parse(fs.readFileSync(path.join(__dirname, "az-config.json"), "utf8"));
const args = process.argv.slice(2);
fs.appendFileSync(path.join(__dirname, "invocations.jsonl"), JSON.stringify(args) + "\n");
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const fail = (text, code = 1) => {
  process.stderr.write(text + "\n");
  process.exit(code);
};
if (args[0] !== "account" || args[1] !== "get-access-token") fail("ERROR: the stand-in az knows only 'account get-access-token'", 2);
const resource = option("--resource");
if (!resource) fail("ERROR: the stand-in az needs --resource", 2);
if (!config.signedIn) fail("ERROR: Please run 'az login' to setup account.");
const tenant = config.tenant || option("--tenant") || "organizations";
const body = new URLSearchParams({
  grant_type: "password",
  client_id: "${AZURE_CLI_CLIENT_ID}",
  username: config.upn,
  password: config.password,
  scope: resource.replace(/\/$/, "") + "/.default",
}).toString();
const pad = (n, w = 2) => String(n).padStart(w, "0");
const localTime = (d) =>
  d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" +
  pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." + pad(d.getMilliseconds() * 1000, 6);
setTimeout(() => {
  const req = https.request(
    config.authorityHost + "/" + encodeURIComponent(tenant) + "/oauth2/v2.0/token",
    { method: "POST", ca: fs.readFileSync(config.caFile), headers: { "content-type": "application/x-www-form-urlencoded" } },
    (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        let answer;
        try {
          answer = JSON.parse(text);
        } catch {
          fail("ERROR: the token endpoint answered " + res.statusCode + " without JSON");
        }
        if (res.statusCode !== 200) fail("ERROR: " + (answer.error_description || answer.error) + "\nInteractive authentication is needed. Please run:\naz login --scope " + resource + "/.default");
        const expires = new Date(Date.now() + answer.expires_in * 1000);
        const claims = JSON.parse(Buffer.from(answer.access_token.split(".")[1], "base64url").toString("utf8"));
        process.stdout.write(JSON.stringify({
          accessToken: answer.access_token,
          expiresOn: localTime(expires),
          expires_on: Math.floor(expires.getTime() / 1000),
          subscription: "00000000-0000-0000-0000-000000000000",
          tenant: claims.tid,
          tokenType: "Bearer",
        }, null, 2) + "\n");
      });
    },
  );
  req.on("error", (e) => fail("ERROR: " + e.message));
  req.end(body);
}, config.delayMs || 0);
`;

/**
 * Writes a stand-in `az` signing in `upn` at `em` (the emulator's default user when omitted).
 */
export function installStandInAz(em: Emulator, options: Partial<StandInAzConfig> = {}): StandInAz {
  const binDir = mkdtempSync(path.join(tmpdir(), "mde-az-"));
  const command = path.join(binDir, "az");
  const configFile = path.join(binDir, "az-config.json");
  const logFile = path.join(binDir, "invocations.jsonl");
  let config: StandInAzConfig = {
    signedIn: true,
    upn: em.defaultUser.upn,
    password: em.defaultUser.password,
    authorityHost: em.authorityHost,
    caFile: em.caFile,
    ...options,
  };
  const write = () => writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  write();
  writeFileSync(logFile, "");
  writeFileSync(command, SCRIPT, { mode: 0o755 });
  chmodSync(command, 0o755);
  return {
    binDir,
    command,
    invocations: () =>
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as string[]),
    configure(update) {
      config = { ...config, ...update };
      write();
    },
    stackEnv: () => ({
      // The harness puts the engine and node_modules/.bin on PATH; the stand-in goes before them.
      PATH: [binDir, engineEnv("").PATH].join(path.delimiter),
    }),
    dispose: () => rmSync(binDir, { recursive: true, force: true }),
  };
}

/**
 * Stack config of a responder running the runbook with `mde:useAzureCli`: the emulator's endpoints, CA,
 * tenant and time scale, and no application credential.
 */
export function azureCliConfig(em: Emulator): ConfigMap {
  const config = emulatorConfig(em, { "mde:useAzureCli": { value: "true" } });
  delete config["mde:clientSecret"];
  delete config["mde:clientId"];
  return config;
}
