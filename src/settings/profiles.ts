/**
 * Connection profiles (`mde:profiles`): named sets of settings, one per tenant (or application), so one
 * program can act in several tenants. Each profile takes any setting a stack has (without the `mde:`
 * prefix): its credential and tenant are its own; endpoints, CA, time scale and rate limits default to the
 * stack's top-level `mde:*` settings, which are also the default profile. Secrets inside a profile are
 * Pulumi secrets (`pulumi config set --secret --path 'mde:profiles.contoso.clientSecret'`).
 */
import { configError, DefenderError } from "../core/errors";
import { CONFIG_KEYS, type ConfigKey } from "./configKeys";
import { resolveSettings, type Settings } from "./resolveSettings";

/** Names a profile may have: letters, digits, `-` and `_`, at most 64. */
export const PROFILE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Settings a profile takes from the stack's top level unless it sets them itself. */
const INHERITED: readonly ConfigKey[] = [
  "mde:cloud",
  "mde:apiEndpoint",
  "mde:authorityHost",
  "mde:rateLimitPerMinute",
  "mde:rateLimitPerHour",
  "mde:caCertPath",
  "mde:timeScale",
];

/** Keys a profile may set: every `mde:*` key but `profiles` itself. */
export const PROFILE_KEYS: readonly string[] = CONFIG_KEYS.filter((k) => k !== "mde:profiles").map((k) =>
  k.slice("mde:".length),
);

// Pulumi's marker of a secret value inside structured config, as the dynamic-provider host may pass it.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A config value with any secret wrappers removed (the host unwraps only the top level). */
export function unwrapConfigValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapConfigValue);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (SECRET_SIG in record && "value" in record) return unwrapConfigValue(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapConfigValue(v)]));
  }
  return value;
}

/** The stack config's value as text: objects as JSON (how `mde:profiles` reaches `resolveProfile`). */
export function configText(value: unknown): string {
  const plain = unwrapConfigValue(value);
  return typeof plain === "string" ? plain : JSON.stringify(plain);
}

/**
 * The profiles of the stack config, checked: an object of objects, names and keys known.
 * @throws DefenderError `MDE_CONFIG_INVALID` naming the key at fault (never a value: it may be a secret).
 */
export function parseProfiles(raw: string | undefined): Record<string, Record<string, string>> {
  if (raw === undefined || raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError("mde:profiles", "an object of named profiles", undefined, PROFILES_HINT);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw configError("mde:profiles", "an object of named profiles", undefined, PROFILES_HINT);
  }
  const profiles: Record<string, Record<string, string>> = {};
  for (const [name, body] of Object.entries(unwrapConfigValue(parsed) as Record<string, unknown>)) {
    if (!PROFILE_NAME.test(name)) {
      throw configError(
        "mde:profiles",
        "profile names of letters, digits, '-' and '_' (at most 64)",
        name.slice(0, 64),
        PROFILES_HINT,
      );
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw configError(`mde:profiles.${name}`, "an object of settings", undefined, PROFILES_HINT);
    }
    const settings: Record<string, string> = {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (!PROFILE_KEYS.includes(key)) {
        throw configError(
          `mde:profiles.${name}.${key}`,
          `one of the settings ${PROFILE_KEYS.join(", ")}`,
          undefined,
          "Remove or rename the key.",
        );
      }
      if (value === null || value === undefined) continue;
      settings[key] = typeof value === "string" ? value : String(value);
    }
    profiles[name] = settings;
  }
  return profiles;
}

const PROFILES_HINT =
  "Set each setting with its path, e.g. `pulumi config set --path 'mde:profiles.contoso.tenantId' <tenant>` and `pulumi config set --secret --path 'mde:profiles.contoso.clientSecret' <secret>`.";

/**
 * The settings of profile `name`: its own keys over the inherited top-level ones, no environment fallback
 * (the `AZURE_*` variables belong to the default profile).
 * @throws DefenderError `MDE_CONFIG_INVALID` naming `mde:profiles.<name>` (unknown profile: the known ones
 *   listed) or `mde:profiles.<name>.<key>` (a bad setting, or two credential kinds).
 */
export function resolveProfile(config: Record<string, string | undefined>, name: string): Settings {
  const profiles = parseProfiles(config["mde:profiles"]);
  const profile = profiles[name];
  if (!profile) {
    const known = Object.keys(profiles);
    throw configError(
      `mde:profiles.${name}`,
      known.length > 0 ? `one of the profiles ${known.join(", ")}` : "a profile defined in mde:profiles",
      name,
      `Check the spelling of the resource's \`profile\`, or define it: ${PROFILES_HINT}`,
    );
  }
  const merged: Record<string, string | undefined> = {};
  for (const key of INHERITED) merged[key] = config[key];
  for (const [key, value] of Object.entries(profile)) merged[`mde:${key}`] = value;
  try {
    return { ...resolveSettings(merged, {}), profile: name };
  } catch (error) {
    throw inProfile(error, name);
  }
}

/** A settings error re-worded to name the profile's key (`mde:profiles.<name>.<key>`). */
function inProfile(error: unknown, name: string): unknown {
  if (!(error instanceof DefenderError) || error.code !== "MDE_CONFIG_INVALID") return error;
  const rename = (text: string) =>
    text.replace(/\bmde:(\w+)/g, (_, key: string) => `mde:profiles.${name}.${key}`);
  return new DefenderError("MDE_CONFIG_INVALID", `Profile ${name}: ${rename(error.message)}`, {
    configKey: error.configKey ? rename(error.configKey) : `mde:profiles.${name}`,
    cause: error,
  });
}
