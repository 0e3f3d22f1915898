/**
 * The URL of an Azure Blob Storage container as `blobContainerUrl` takes it, validated and normalised once
 * at the edge: `https://<account>.blob.core.windows.net/<container>` (host-style) or
 * `https://127.0.0.1:10000/<account>/<container>` (path-style, as emulators serve it). Blob names are
 * appended to it with every path segment encoded. Credentials never travel in it: a SAS (any query string)
 * or user info is refused, so the URL is safe to keep in state and to show in messages.
 */
import { isLoopbackHost } from "../core/loopback";

/** A checked container URL. */
export interface BlobContainer {
  /** `https://host[:port]/[account/]container`, no trailing slash, no query: safe to store and show. */
  readonly url: string;
  /** The container's name. */
  readonly name: string;
  /** `host[:port]`, for messages. */
  readonly host: string;
}

/** Container names: 3 to 63 lower-case letters, digits and single hyphens, starting with a letter or digit. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** Longest blob prefix, in characters (a blob name may have 1024; the rest is the file name). */
export const MAX_BLOB_PREFIX_LENGTH = 512;

/**
 * Why `value` is not a usable container URL (a sentence saying what was expected), or undefined when it is.
 * Pure: no request is sent.
 */
export function blobContainerUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "blobContainerUrl must be the https URL of a blob container, e.g. https://<account>.blob.core.windows.net/evidence.";
  }
  if (url.username !== "" || url.password !== "") {
    return "blobContainerUrl must not carry user info (user:password@): storage is signed in to with the stack's Entra ID credential.";
  }
  if (url.search !== "" || value.includes("?")) {
    return "blobContainerUrl must not carry a query string: a SAS token would be stored in state in plaintext. Give the bare container URL; pulumi-mde signs in with Entra ID (role Storage Blob Data Contributor on the container).";
  }
  if (url.hash !== "") return "blobContainerUrl must not carry a fragment (#...).";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return `blobContainerUrl must use https (plain http only for a loopback emulator), got ${url.protocol.replace(":", "")}.`;
  }
  const segments = url.pathname.split("/").filter((s) => s !== "");
  const pathStyle = isLoopbackHost(url.hostname) || /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname);
  const expected = pathStyle ? 2 : 1;
  if (segments.length !== expected) {
    return pathStyle
      ? "blobContainerUrl of an emulator is path-style: https://<host>:<port>/<account>/<container>, e.g. https://127.0.0.1:10000/devstoreaccount1/evidence."
      : "blobContainerUrl must name exactly one container after the host, e.g. https://<account>.blob.core.windows.net/evidence (use blobPrefix for folders inside it).";
  }
  const name = decodeURIComponent(segments[segments.length - 1] ?? "");
  if (!CONTAINER_NAME.test(name)) {
    return `blobContainerUrl names container ${JSON.stringify(name)}, which is not a valid container name (3 to 63 lower-case letters, digits and hyphens).`;
  }
  return undefined;
}

/**
 * The checked container of `value`.
 * @throws Error with the sentence of {@link blobContainerUrlProblem} when it is not usable.
 */
export function parseBlobContainerUrl(value: string): BlobContainer {
  const problem = blobContainerUrlProblem(value);
  if (problem) throw new Error(problem);
  const url = new URL(value.trim());
  const segments = url.pathname.split("/").filter((s) => s !== "");
  return {
    url: `${url.protocol}//${url.host}/${segments.join("/")}`,
    name: decodeURIComponent(segments[segments.length - 1] ?? ""),
    host: url.host,
  };
}

/**
 * Why `value` is not a usable blob prefix, or undefined. A prefix is a folder-like start of every blob
 * name, e.g. `IR-4711/`: no leading slash, no `.` or `..` segment, no control characters.
 */
export function blobPrefixProblem(value: string): string | undefined {
  if (value.length > MAX_BLOB_PREFIX_LENGTH) {
    return `blobPrefix is ${value.length} characters long; at most ${MAX_BLOB_PREFIX_LENGTH} are allowed.`;
  }
  if (value.startsWith("/")) return "blobPrefix must not start with '/': e.g. IR-4711/.";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(value)) {
    return "blobPrefix must not contain control characters or backslashes: use '/' between folders.";
  }
  if (value.split("/").some((segment) => segment === "." || segment === "..")) {
    return "blobPrefix must not contain '.' or '..' segments.";
  }
  return undefined;
}

/** The URL of blob `name` in `container`, every path segment encoded. */
export function blobUrlOf(container: BlobContainer, name: string): string {
  return `${container.url}/${name.split("/").map(encodeURIComponent).join("/")}`;
}
