/**
 * The stack config of a provider plugin process. The Node.js SDK's plugin server ignores `Configure`
 * (pulumi/pulumi#10915); the engine passes the stack's config of the package's namespace in the
 * `PULUMI_CONFIG` environment variable instead: JSON, keys without the `mde:` prefix, values as text
 * (objects such as `mde:profiles` as JSON text), secrets decrypted. It is fed to the same settings code
 * the dynamic providers' `configure` feeds, so validation and messages are the same.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DefenderError } from "../core/errors";
import { configureProcess } from "../resources/shared/providerSettings";
import { CONFIG_KEYS } from "../settings/configKeys";

/**
 * The `mde:*` settings in a `PULUMI_CONFIG` text, by their namespaced key. Keys the package does not know
 * are left out (the settings code names only its own). Absent or empty text: no settings.
 * @throws DefenderError `MDE_CONFIG_INVALID` when the text is not a JSON object (it never names a value).
 */
export function configFromEnvironmentText(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new DefenderError("MDE_CONFIG_INVALID", "PULUMI_CONFIG, set by the engine, is not a JSON object.");
  }
  const config: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = (parsed as Record<string, unknown>)[key.slice("mde:".length)];
    if (value === undefined || value === null) continue;
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** Configures this process's settings from `PULUMI_CONFIG`, as `configure` does for the dynamic providers. */
export function configureFromEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const config = configFromEnvironmentText(env.PULUMI_CONFIG);
  // The settings code takes a `configure` request; only its `config.get` is read.
  configureProcess({
    config: { get: (key: string) => config[key] },
  } as unknown as pulumi.dynamic.ConfigureRequest);
}
