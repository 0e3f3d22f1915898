/**
 * The settings of this provider process: stack config as `configure` received it, then the environment.
 * Shared by every resource provider and function of the package: the engine configures the process once
 * per provider text, and every resource type of this package runs in the same process.
 */
import type * as pulumi from "@pulumi/pulumi";
import { userMessage } from "../../core/userMessage";
import { CONFIG_KEYS } from "../../settings/configKeys";
import { resolveSettings, type Settings } from "../../settings/resolveSettings";
import { exitWhenEngineGone } from "./engineWatch";
import { failingConfigKey, surfaceError } from "./surfaceError";

/** Stack config as received by `configure`; `undefined` until then (the environment still applies). */
let configured: Record<string, string | undefined> | undefined;
let cached: { source: Record<string, string | undefined> | undefined; settings: Settings } | undefined;

/** Settings for this process. Throws `MDE_CONFIG_INVALID` naming the key at fault. */
export function currentSettings(): Settings {
  if (!cached || cached.source !== configured) {
    cached = { source: configured, settings: resolveSettings(configured ?? {}) };
  }
  return cached.settings;
}

/**
 * Stores the stack config, synchronously: the engine caches a provider before `configure` finishes, so
 * concurrent first calls must already see it.
 */
export function configureProcess(req: pulumi.dynamic.ConfigureRequest): void {
  // Only the engine calls configure, so this is the provider process: stop it with its engine.
  exitWhenEngineGone();
  const config: Record<string, string | undefined> = {};
  for (const key of CONFIG_KEYS) {
    const value = req.config.get(key);
    if (value !== undefined) config[key] = String(value);
  }
  configured = config;
}

/** A `check` result, with the process settings judged too: a bad setting is reported on its config key. */
export function checkedWithSettings(checked: {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
}): { inputs: Record<string, unknown>; failures: Array<{ property: string; reason: string }> } {
  // Every reason the engine prints ends in its code, like every other error of the package.
  for (const failure of checked.failures) failure.reason = userMessage(failure.reason, "MDE_INPUT_INVALID");
  try {
    currentSettings();
  } catch (error) {
    // Report the failure on the config key at fault, so the engine names it.
    checked.failures.push({ property: failingConfigKey(error), reason: surfaceError(error).message });
  }
  return checked;
}
