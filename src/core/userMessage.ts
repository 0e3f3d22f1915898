/**
 * The one shape of every error text a user sees: one paragraph (no blank line, no stack frames), no
 * terminal escape sequences, redacted, ending in its stable code in brackets. Applied where an error
 * leaves the package: the provider's answers to the engine, the program's functions, the provider
 * entry's Node.js check.
 */
import { redact } from "./redact";

/** A stable code of this package: `MDE_` and upper-case words. */
const CODE = /^MDE_[A-Z0-9_]+$/;

/** Escape sequences (colours, cursor moves) and C0/C1 control characters other than tab and newline. */
const ESCAPES = new RegExp(
  [
    "\\u001b\\[[0-?]*[ -/]*[@-~]", // CSI: colours, cursor moves
    "\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)", // OSC: titles, links
    "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]", // the rest, but tab and newline
  ].join("|"),
  "g",
);

/** The stable code an error carries (`code` of a DefenderError, EvidenceError, ...), if it is one of ours. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && CODE.test(code) ? code : undefined;
}

/**
 * `message` as one clean paragraph ending in `[code]`: escape sequences and control characters out,
 * blank lines and trailing spaces closed up (a list on its own lines stays), secrets redacted. A message
 * that already ends in its code keeps it once.
 */
export function userMessage(message: string, code: string): string {
  const text = redact(message)
    .replace(ESCAPES, "")
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "")
    .join("\n")
    .trim();
  const suffix = `[${code}]`;
  if (text.endsWith(suffix)) return text;
  return text === "" ? suffix : `${text} ${suffix}`;
}
