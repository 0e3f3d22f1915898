/**
 * Secret values as a plugin sees them. The engine sends inputs marked secret wrapped in a signature
 * object (the SDK's server passes the raw struct on), and records as secret only the outputs that come
 * back wrapped. The resource code works on plain values; the plugin unwraps on the way in and wraps the
 * same top-level properties on the way out, so a secret input stays secret in state.
 */

/** The signature key and value of a secret in the wire format of property values. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecret(value: unknown): value is { value: unknown } {
  return !!value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

function unwrapValue(value: unknown): { value: unknown; secret: boolean } {
  if (isSecret(value)) return { value: unwrapValue(value.value).value, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(unwrapValue);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value && typeof value === "object") {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const inner = unwrapValue(item);
      out[key] = inner.value;
      secret ||= inner.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}

/** Plain properties, and the names of the top-level properties that held a secret anywhere inside. */
export function unwrapSecrets(props: Record<string, unknown> | undefined): {
  plain: Record<string, unknown>;
  secretKeys: Set<string>;
} {
  const plain: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(props ?? {})) {
    const inner = unwrapValue(value);
    plain[key] = inner.value;
    if (inner.secret) secretKeys.add(key);
  }
  return { plain, secretKeys };
}

/** The properties with each of `secretKeys` wrapped as a secret. */
export function wrapSecrets(
  props: Record<string, unknown>,
  secretKeys: ReadonlySet<string>,
): Record<string, unknown> {
  if (secretKeys.size === 0) return props;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    out[key] = secretKeys.has(key) && !isSecret(value) ? { [SIG_KEY]: SECRET_SIG, value } : value;
  }
  return out;
}
