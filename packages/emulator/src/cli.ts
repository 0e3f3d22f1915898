#!/usr/bin/env node
/**
 * `mde-emulator`: runs the emulator in the foreground, prints how to point a client and the
 * Pulumi provider at it, then logs requests (never tokens, secrets or links) until SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { isLoopbackHost } from "./adminAuth";
import { watchLauncher } from "./launcherWatch";
import { EMULATOR_DEFAULTS, startEmulator } from "./server";
import { MAX_TENANTS } from "./tenants";
import type { EmulatorOptions } from "./types";

const HELP = `Usage: mde-emulator [options]

Local Microsoft Defender for Endpoint API and Entra ID token endpoint over HTTPS.

Options:
  --port <n>                 port to listen on (default 0: any free port)
  --host <address>           address to listen on (default 127.0.0.1)
  --time-scale <n>           emulated seconds per real second (default 1)
  --fleet <file.json>        devices to serve instead of the built-in fleet
  --token-lifetime <s>       access-token lifetime, emulated seconds (default 3600)
  --link-lifetime <s>        package link lifetime, emulated seconds (default 600)
  --pending <s>              seconds before a device picks up a collection (default 60)
  --in-progress <s>          seconds a collection runs (default 300)
  --offline-timeout <s>      seconds before an offline device's action times out (default 86400)
  --tenant-id <guid>         tenant of the default app (default: generated)
  --client-id <guid>         client id of the default app (default: generated)
  --client-secret <secret>   secret of the default app (default: generated)
  --tenants <n>              tenants to serve, each with its own app, fleet and actions (default 1)
  --duplicate <mode>         conflict (400) or returnExisting (201) for a second collection
  --quote-package-uri        wrap GetPackageUri values in literal quotes
  --no-rate-limits           disable the per-app rate limits
  --no-download-ranges       ignore Range on package downloads (always 200, whole body)
  --package-padding-bytes <n>  extra streamed bytes per package, e.g. 1073741824 (default 0)
  --admin-token <token>      admin API token (default: random; required beyond loopback)
  --ca-file <path>           where to write the CA certificate (default: a temp file)
  --tls-cert, --tls-key, --tls-ca <path>   serve with these PEM files instead of generating
  --quiet                    do not log requests
  -h, --help                 this text
`;

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`--${name} must be a non-negative number, got '${value}'`);
  return n;
}

/** Parses command-line flags into emulator options. */
export function parseCliOptions(argv: string[]): { options: EmulatorOptions; quiet: boolean; help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "time-scale": { type: "string" },
      fleet: { type: "string" },
      "token-lifetime": { type: "string" },
      "link-lifetime": { type: "string" },
      pending: { type: "string" },
      "in-progress": { type: "string" },
      "offline-timeout": { type: "string" },
      "tenant-id": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      tenants: { type: "string" },
      duplicate: { type: "string" },
      "quote-package-uri": { type: "boolean" },
      "no-rate-limits": { type: "boolean" },
      "no-download-ranges": { type: "boolean" },
      "package-padding-bytes": { type: "string" },
      "admin-token": { type: "string" },
      "ca-file": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-ca": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const duplicate = values.duplicate;
  if (duplicate !== undefined && duplicate !== "conflict" && duplicate !== "returnExisting") {
    throw new Error("--duplicate must be conflict or returnExisting");
  }
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw new Error("--tls-cert and --tls-key go together");
  }
  const options: EmulatorOptions = {
    host: values.host ?? EMULATOR_DEFAULTS.host,
    port: positiveNumber("port", values.port) ?? EMULATOR_DEFAULTS.port,
    apps: [
      {
        ...(values["tenant-id"] ? { tenantId: values["tenant-id"] } : {}),
        ...(values["client-id"] ? { clientId: values["client-id"] } : {}),
        ...(values["client-secret"] ? { clientSecret: values["client-secret"] } : {}),
      },
    ],
    rateLimits: !values["no-rate-limits"],
    downloadRanges: !values["no-download-ranges"],
    quotePackageUri: values["quote-package-uri"] ?? false,
  };
  const timeScale = positiveNumber("time-scale", values["time-scale"]);
  if (timeScale !== undefined) options.timeScale = timeScale;
  if (values.fleet) options.fleet = values.fleet;
  if (values.tenants !== undefined) {
    const tenants = Number(values.tenants);
    if (!Number.isInteger(tenants) || tenants < 1 || tenants > MAX_TENANTS)
      throw new Error(`--tenants must be an integer from 1 to ${MAX_TENANTS}, got '${values.tenants}'`);
    options.tenants = tenants;
  }
  const tokenLifetime = positiveNumber("token-lifetime", values["token-lifetime"]);
  if (tokenLifetime !== undefined) options.tokenLifetimeSeconds = tokenLifetime;
  const linkLifetime = positiveNumber("link-lifetime", values["link-lifetime"]);
  if (linkLifetime !== undefined) options.packageLinkLifetimeSeconds = linkLifetime;
  const lifecycle: NonNullable<EmulatorOptions["lifecycle"]> = {};
  const pending = positiveNumber("pending", values.pending);
  if (pending !== undefined) lifecycle.pendingSeconds = pending;
  const inProgress = positiveNumber("in-progress", values["in-progress"]);
  if (inProgress !== undefined) lifecycle.inProgressSeconds = inProgress;
  const offline = positiveNumber("offline-timeout", values["offline-timeout"]);
  if (offline !== undefined) lifecycle.offlineTimeoutSeconds = offline;
  options.lifecycle = lifecycle;
  if (duplicate) options.duplicateCollection = duplicate;
  const padding = positiveNumber("package-padding-bytes", values["package-padding-bytes"]);
  if (padding !== undefined) options.packagePaddingBytes = padding;
  if (values["admin-token"]) options.adminToken = values["admin-token"];
  if (values["ca-file"]) options.caFile = values["ca-file"];
  if (values["tls-cert"] && values["tls-key"]) {
    options.tls = {
      certPath: values["tls-cert"],
      keyPath: values["tls-key"],
      ...(values["tls-ca"] ? { caPath: values["tls-ca"] } : {}),
    };
  }
  return { options, quiet: values.quiet ?? false, help: values.help ?? false };
}

/** Quotes a value for a POSIX shell. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCliOptions>;
  try {
    parsed = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`mde-emulator: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const out = (line = "") => process.stdout.write(`${line}\n`);
  const emulator = await startEmulator({
    ...parsed.options,
    log: parsed.quiet ? () => {} : (line) => out(`${new Date().toISOString()} ${line}`),
  });
  const app = emulator.defaultApp;
  const mi = emulator.managedIdentityEnv();
  out(
    `Defender for Endpoint emulator listening on ${emulator.url} (time scale ${parsed.options.timeScale ?? 1})`,
  );
  out();
  out("Environment for clients:");
  const env: [string, string][] = [
    ["AZURE_TENANT_ID", app.tenantId],
    ["AZURE_CLIENT_ID", app.clientId],
    ["AZURE_CLIENT_SECRET", app.clientSecret],
    ["MDE_API_ENDPOINT", emulator.url],
    ["AZURE_AUTHORITY_HOST", emulator.authorityHost],
    ["NODE_EXTRA_CA_CERTS", emulator.caFile],
  ];
  for (const [name, value] of env) out(`  export ${name}=${shellQuote(value)}`);
  out();
  out("Pulumi provider configuration:");
  for (const [key, { value, secret }] of Object.entries(emulator.providerConfig())) {
    out(`  pulumi config set ${secret ? "--secret " : ""}${key} ${shellQuote(value)}`);
  }
  for (const tenant of emulator.tenants.slice(1)) {
    // Each further tenant is a connection profile; endpoints and the CA come from the settings above.
    const profile = `mde:profiles.tenant${tenant.index}`;
    out();
    out(`Tenant ${tenant.index} (${tenant.tenantId}), as a connection profile:`);
    out(`  pulumi config set --path ${profile}.tenantId ${shellQuote(tenant.defaultApp.tenantId)}`);
    out(`  pulumi config set --path ${profile}.clientId ${shellQuote(tenant.defaultApp.clientId)}`);
    out(
      `  pulumi config set --secret --path ${profile}.clientSecret ${shellQuote(tenant.defaultApp.clientSecret)}`,
    );
  }
  out();
  out("Managed identity (msal-node App Service source):");
  out(
    `  export IDENTITY_ENDPOINT=${shellQuote(mi.IDENTITY_ENDPOINT ?? "")} IDENTITY_HEADER=${shellQuote(mi.IDENTITY_HEADER ?? "")}`,
  );
  out();
  out(
    `Admin API: ${emulator.url}/_emulator/calls, /_emulator/faults, /_emulator/reset (see emulator/README.md)`,
  );
  const host = parsed.options.host ?? EMULATOR_DEFAULTS.host;
  if (!isLoopbackHost(host)) {
    out(`WARNING: listening on ${host}: the API and the admin API are reachable from the network.`);
    out("  The admin API requires this token (Authorization: Bearer <token> or x-emulator-admin-token):");
    out(`  export MDE_EMULATOR_ADMIN_TOKEN=${shellQuote(emulator.adminToken)}`);
  }
  out(
    `Fleet: ${emulator.fleet.length} devices, e.g. ${emulator.fleet[0]?.id ?? "none"} (${emulator.fleet[0]?.computerDnsName ?? ""})`,
  );
  if (emulator.tenants.length > 1) {
    out(`  in each of ${emulator.tenants.length} tenants: the same computer names, device ids of their own`);
  }
  out("Requests:");

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    out(`${reason}: stopping`);
    // close() ends open connections; the bound is for anything else that would hold the exit.
    setTimeout(() => process.exit(0), STOP_BOUND_IN_MS).unref();
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGHUP"));
  // Under npx, a signal to npm reaches only the shell npm runs the bin in: stop with the launcher.
  watchLauncher(stop);
}

/** Longest wait for a clean close after a stop signal, in ms. */
const STOP_BOUND_IN_MS = 5_000;

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`mde-emulator: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
