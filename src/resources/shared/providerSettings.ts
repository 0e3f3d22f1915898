/**
 * The settings of this provider process: stack config as `configure` received it, then the environment.
 * Shared by every resource provider and function of the package: the engine configures the process once
 * per provider text, and every resource type of this package runs in the same process.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DefenderError } from "../../core/errors";
import { userMessage } from "../../core/userMessage";
import { CONFIG_KEYS } from "../../settings/configKeys";
import { configText, resolveProfile } from "../../settings/profiles";
import { resolveSettings, type Settings } from "../../settings/resolveSettings";
import { exitWhenEngineGone } from "./engineWatch";
import { UNKNOWN_VALUE } from "./inputChecks";
import { failingConfigKey, surfaceError } from "./surfaceError";

/** Stack config as received by `configure`; `undefined` until then (the environment still applies). */
let configured: Record<string, string | undefined> | undefined;
let cached:
  | { source: Record<string, string | undefined> | undefined; byProfile: Map<string, Settings> }
  | undefined;

/**
 * Settings for this process: the stack's top-level `mde:*` settings, or those of connection profile
 * `profile` (see profiles.ts). Throws `MDE_CONFIG_INVALID` naming the key at fault.
 */
export function currentSettings(profile?: string): Settings {
  if (!cached || cached.source !== configured) cached = { source: configured, byProfile: new Map() };
  const key = profile ?? "";
  let settings = cached.byProfile.get(key);
  if (!settings) {
    settings =
      profile === undefined ? resolveSettings(configured ?? {}) : resolveProfile(configured ?? {}, profile);
    cached.byProfile.set(key, settings);
  }
  return settings;
}

/** The `profile` input of stored or checked inputs, when one is given. */
export function profileOf(props: Record<string, unknown>): string | undefined {
  return typeof props.profile === "string" && props.profile !== "" ? props.profile : undefined;
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
    // Structured settings (mde:profiles) arrive as objects or JSON; both are kept as JSON text.
    if (value !== undefined) config[key] = configText(value);
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
  const profile = checked.inputs.profile;
  if (profile !== undefined && profile !== UNKNOWN_VALUE) {
    try {
      if (typeof profile !== "string" || profile === "") {
        throw new DefenderError(
          "MDE_CONFIG_INVALID",
          "profile must be the name of a profile in mde:profiles.",
        );
      }
      currentSettings(profile);
    } catch (error) {
      // A misspelled profile or a bad setting in it: reported on the resource's `profile` input.
      checked.failures.push({ property: "profile", reason: surfaceError(error).message });
    }
  }
  return checked;
}
