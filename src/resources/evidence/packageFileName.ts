/**
 * Names of the evidence files: `<computerDnsName or machineId>-<actionId>.zip` and its manifest beside it.
 * Pure: the same action always gets the same names, on every operating system.
 */

/** Longest device part of a file name, in characters: keeps names well under every file system's limit. */
export const MAX_DEVICE_NAME_LENGTH = 100;

/** Suffix of the manifest that sits beside each package. */
export const MANIFEST_SUFFIX = ".manifest.json";

/** What naming needs of an action. */
export interface NamedAction {
  id: string;
  machineId: string;
  computerDnsName?: string | null;
}

/**
 * The device part of a file name: the computer name when Defender reports one, else the device ID.
 * Lower case (DNS names are case-insensitive), and only `a-z 0-9 . _ -`: anything else (path separators,
 * spaces, `:` that Windows refuses) becomes `_`, and leading dots go, so no name hides or climbs folders.
 */
export function deviceNamePart(action: NamedAction): string {
  const raw = (action.computerDnsName ?? "").trim() || action.machineId.trim() || "device";
  const safe = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, "_")
    .replace(/^[.]+/, "")
    .slice(0, MAX_DEVICE_NAME_LENGTH)
    .replace(/[.]+$/, "");
  return safe === "" ? "device" : safe;
}

/** File name of the package of `action`: `<device>-<actionId>.zip`. */
export function packageFileName(action: NamedAction): string {
  return `${deviceNamePart(action)}-${action.id.toLowerCase().replace(/[^0-9a-f-]/g, "_")}.zip`;
}

/** Path of the manifest beside the package at `packagePath` (`x.zip` → `x.manifest.json`). */
export function manifestPathFor(packagePath: string): string {
  return `${packagePath.replace(/\.zip$/i, "")}${MANIFEST_SUFFIX}`;
}

/**
 * A temporary name beside `finalPath` for a file being written: a dot file that ends in `.part`, so a
 * half-written package never carries the final name and never looks like evidence.
 * @param unique - Distinguishes concurrent writers (process ID and random text).
 */
export function temporaryPathFor(finalPath: string, unique: string): string {
  const slash = Math.max(finalPath.lastIndexOf("/"), finalPath.lastIndexOf("\\"));
  const dir = finalPath.slice(0, slash + 1);
  const base = finalPath.slice(slash + 1);
  return `${dir}.${base}.${unique}.part`;
}

/**
 * Path of a stack's own manifest beside a package whose plain manifest belongs to another stack:
 * `x.manifest.json` → `x.<project>.<stack>.manifest.json`, each part kept to `a-z A-Z 0-9 _ -` (anything
 * else becomes `_`), so two stacks keeping the same action in one folder never share a record.
 * @param owner - `project/stack` as the manifest records it.
 */
export function stackManifestPathFor(manifestPath: string, owner: string): string {
  const base = manifestPath.endsWith(MANIFEST_SUFFIX)
    ? manifestPath.slice(0, -MANIFEST_SUFFIX.length)
    : manifestPath;
  const parts = owner.split("/").map((part) => part.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 100) || "_");
  return `${base}.${parts.join(".")}${MANIFEST_SUFFIX}`;
}
