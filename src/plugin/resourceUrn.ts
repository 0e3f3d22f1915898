/**
 * The parts of a resource URN the plugin needs: `urn:pulumi:<stack>::<project>::<type>::<name>`.
 */

/** A parsed URN. */
export interface ResourceUrn {
  stack: string;
  project: string;
  /** The resource's type token, e.g. `mde:index:InvestigationPackageCollection` (parent types removed). */
  type: string;
  /** The resource's name in the program. */
  name: string;
}

/** Parses a resource URN; the name may itself contain `::`. */
export function parseUrn(urn: string): ResourceUrn {
  const parts = urn.split("::");
  const head = parts[0] ?? "";
  if (parts.length < 4 || !head.startsWith("urn:pulumi:")) throw new Error(`not a resource URN: ${urn}`);
  const qualifiedType = parts[2] ?? "";
  return {
    stack: head.slice("urn:pulumi:".length),
    project: parts[1] ?? "",
    type: qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1),
    name: parts.slice(3).join("::"),
  };
}
