/**
 * Redaction of secrets from anything that may reach a log line, an error message or Pulumi state.
 *
 * Two complementary mechanisms, because neither alone is enough:
 * - allow-lists for structured data (headers, query parameters): anything not known to be harmless is
 *   replaced, so a new secret-bearing header cannot leak by default;
 * - pattern scrubbing for free text (bearer tokens, JWTs, `client_secret=`, SAS signatures) plus exact
 *   replacement of every value registered with {@link registerSecret}.
 */

/** What replaces a redacted value. */
export const REDACTED = "REDACTED";

/** Secrets shorter than this are not registered: replacing 1–3 character strings would shred text. */
const MIN_SECRET_LENGTH = 4;

/** Header names (lower case) whose values are safe to show. Everything else is redacted. */
export const ALLOWED_HEADER_NAMES: ReadonlySet<string> = new Set([
  "accept",
  "accept-encoding",
  "cache-control",
  "connection",
  "content-length",
  "content-type",
  "date",
  "etag",
  "expires",
  "keep-alive",
  "last-modified",
  "location",
  "pragma",
  "request-id",
  "retry-after",
  "retry-after-ms",
  "server",
  "traceparent",
  "transfer-encoding",
  "user-agent",
  "x-ms-client-request-id",
  "x-ms-correlation-id",
  "x-ms-request-id",
  "x-ms-retry-after-ms",
  "client-request-id",
  "odata-version",
]);

/** Query parameter names (lower case) whose values are safe to show. Everything else is redacted. */
export const ALLOWED_QUERY_PARAMS: ReadonlySet<string> = new Set([
  "$filter",
  "$top",
  "$skip",
  "$select",
  "$orderby",
  "$count",
  "api-version",
]);

// Module-level so that settings (which see the raw secret) and every error/log site share it.
const registeredSecrets = new Set<string>();

/**
 * Registers a secret value (client secret, static token, assertion) so that every later call to
 * {@link redact} replaces it wherever it appears. Idempotent; short or empty values are ignored.
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string") return;
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH) return;
  registeredSecrets.add(trimmed);
}

/** Forgets every registered secret. For tests. */
export function clearRegisteredSecrets(): void {
  registeredSecrets.clear();
}

// Patterns are ordered: the most specific first, so that e.g. "Bearer <jwt>" is reported as a bearer token.
const SCRUB_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization header values and "Bearer xyz" in free text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  // JWT-looking strings: three base64url segments, the first two starting with '{"' encoded (eyJ).
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // A JWT (or its start) wrapped over several lines, as a terminal or a log prints it: the lines that go on
  // with base64url characters belong to it.
  [/\beyJ[A-Za-z0-9_.-]{5,}(?:\r?\n[ \t]*[A-Za-z0-9_.-]+)*/g, REDACTED],
  // Form or query encoded secrets.
  [
    /\b(client_secret|client_assertion|access_token|refresh_token|id_token|assertion|password|code)=[^&\s"']+/gi,
    `$1=${REDACTED}`,
  ],
  // JSON encoded secrets.
  [
    /("(?:client_secret|client_assertion|access_token|refresh_token|id_token|clientSecret|accessToken|password)"\s*:\s*")[^"]*(")/gi,
    `$1${REDACTED}$2`,
  ],
  // SAS and signed-URL parameters (package download links are bearer secrets).
  [/\b(sig|signature|se|st|sp|sv|skoid|sktid|skt|ske|sks|skv|token|code)=[^&\s"']+/gi, `$1=${REDACTED}`],
];

/**
 * Scrubs secrets from free text: bearer tokens, JWT-looking strings, `client_secret=` and similar
 * form fields, SAS signatures, and every value registered with {@link registerSecret}.
 */
export function redact(text: string): string {
  let out = text;
  // Registered secrets first and longest first, so that a secret containing another is replaced whole.
  const secrets = [...registeredSecrets].sort((a, b) => b.length - a.length);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of SCRUB_PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

/**
 * Returns a copy of `headers` where every header not in {@link ALLOWED_HEADER_NAMES} has its value
 * replaced by {@link REDACTED}; allowed values are still scrubbed with {@link redact}.
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(", ") : value;
    out[name] = ALLOWED_HEADER_NAMES.has(name.toLowerCase()) ? redact(joined) : REDACTED;
  }
  return out;
}

/**
 * Returns `url` with every query parameter not in {@link ALLOWED_QUERY_PARAMS} redacted, any
 * user-info removed, and the result scrubbed with {@link redact}. Unparseable input is scrubbed as text.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redact(String(url));
  }
  if (parsed.username || parsed.password) {
    parsed.username = "";
    parsed.password = "";
  }
  const names = [...new Set(parsed.searchParams.keys())];
  for (const name of names) {
    if (!ALLOWED_QUERY_PARAMS.has(name.toLowerCase())) parsed.searchParams.set(name, REDACTED);
  }
  return redact(parsed.toString());
}

/** Longest text from outside (a CLI, a token endpoint, a download host) quoted in a message, in characters. */
export const MAX_QUOTED_OUTSIDE_CHARS = 200;

/** Shortest run of base64/base64url/percent-encoded characters treated as possibly a credential. */
const TOKEN_RUN_MIN_CHARS = 16;
const TOKEN_RUN = new RegExp(`[A-Za-z0-9+/=_~.%-]{${TOKEN_RUN_MIN_CHARS},}`, "g");
// A field that names a credential: what follows it on the line is taken as its value.
const CREDENTIAL_FIELD =
  /\b(access_?token|refresh_?token|id_?token|client_?secret|client_?assertion|assertion|password|secret|token)\b["']?\s*[:=].*$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Control and invisible characters: a quoted line must not rewrite the terminal or hide text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Whether a long run of token characters reads as words (a host name, a path, an error code in
 * CamelCase) or an id (a GUID) rather than as encoded data. Random base64 almost never does.
 */
function readsAsWords(run: string): boolean {
  return (
    run === REDACTED ||
    GUID.test(run) ||
    /^\/*[a-z]+(?:[./_-]+[a-z]+)*\/?$/.test(run) ||
    /^(?:[A-Z][a-z]+)+$/.test(run)
  );
}

/** Options of {@link quoteOutside}. */
export interface QuoteOutsideOptions {
  /**
   * Chooses the one line to quote from the non-empty lines (trimmed).
   * @default the first
   */
  pick?: (lines: readonly string[]) => string | undefined;
  /**
   * Longest quote, in characters.
   * @default MAX_QUOTED_OUTSIDE_CHARS (200)
   */
  maxChars?: number;
}

/**
 * Text from outside the provider (a CLI's stderr, a token endpoint's or a download host's error body)
 * as it may appear in a message: one line only, so a token wrapped over lines cannot be carried along;
 * everything after a credential field (`access_token`, `"accessToken":`, `password=`) removed; every
 * run of 16 or more base64/base64url characters that does not read as words or a GUID replaced, so no
 * fragment of a JWT or an opaque credential is long enough to matter; registered secrets and the
 * patterns of {@link redact} removed; control characters dropped; at most `maxChars` long. Returns ""
 * when nothing is left.
 */
export function quoteOutside(text: string | undefined, options: QuoteOutsideOptions = {}): string {
  const lines = (text ?? "")
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const line = (options.pick ? options.pick(lines) : lines[0]) ?? "";
  const scrubbed = redact(line.replace(UNPRINTABLE, " "))
    .replace(CREDENTIAL_FIELD, (_m, field: string) => `${field}: ${REDACTED}`)
    .replace(TOKEN_RUN, (run) => (readsAsWords(run) ? run : REDACTED))
    .replace(/\s+/g, " ")
    .trim();
  const max = options.maxChars ?? MAX_QUOTED_OUTSIDE_CHARS;
  return scrubbed.length > max ? `${scrubbed.slice(0, max)}...` : scrubbed;
}

/**
 * An identifier from outside (an error code, a request id) as it may appear in a message: kept only when
 * it is a GUID, a CamelCase or dotted code, or too short to be a credential; else undefined.
 */
export function outsideIdentifier(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  if (GUID.test(v)) return v;
  return /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(v) && (v.length < TOKEN_RUN_MIN_CHARS || readsAsWords(v))
    ? v
    : undefined;
}
