/**
 * What protects evidence in a container, read from the data plane's container properties. Pure, so it is
 * tested with the real headers of each case (Azurite reports none of them: it does not implement
 * immutability).
 *
 * What the data plane can show: whether the container has a time-based immutability policy
 * (`x-ms-has-immutability-policy`; whether it is locked is visible only through Azure Resource Manager),
 * a legal hold (`x-ms-has-legal-hold`), and version-level immutability
 * (`x-ms-immutable-storage-with-versioning-enabled`, whose per-blob policy shows on each blob).
 */

/** What protects a container's blobs from change and deletion. */
export interface ContainerRetention {
  /** A time-based retention (WORM) policy is set on the container (locked or not). */
  immutabilityPolicy: boolean;
  /** One or more legal hold tags are set on the container. */
  legalHold: boolean;
  /** Version-level immutability is enabled: each blob version can carry its own policy and hold. */
  versionLevelImmutability: boolean;
}

/** The retention stored in state for a blob destination: the container's, plus the blob's own when reported. */
export interface EvidenceRetention extends ContainerRetention {
  /** Anything above protects the evidence. */
  protected: boolean;
  /** One line for people, e.g. `container immutability policy, legal hold`, or `none`. */
  summary: string;
  /** The blob's own version-level policy, when the service reports one. */
  blobImmutabilityPolicy?: { mode: string; until: string };
  /** A legal hold on the blob itself, when the service reports it. */
  blobLegalHold?: boolean;
}

const isTrue = (value: string | undefined): boolean => (value ?? "").trim().toLowerCase() === "true";

/** Reads a container's retention from its properties' headers (lower-case names). */
export function readContainerRetention(headers: Record<string, string | undefined>): ContainerRetention {
  return {
    immutabilityPolicy: isTrue(headers["x-ms-has-immutability-policy"]),
    legalHold: isTrue(headers["x-ms-has-legal-hold"]),
    versionLevelImmutability: isTrue(headers["x-ms-immutable-storage-with-versioning-enabled"]),
  };
}

/** True when anything protects the container's blobs. */
export function isImmutable(retention: ContainerRetention): boolean {
  return retention.immutabilityPolicy || retention.legalHold || retention.versionLevelImmutability;
}

/** The retention of one blob: the container's, plus what the blob itself reports. */
export function evidenceRetention(
  container: ContainerRetention,
  blob: { immutabilityPolicy?: { mode: string; until: string }; legalHold?: boolean } = {},
): EvidenceRetention {
  const parts: string[] = [];
  if (container.immutabilityPolicy) parts.push("container immutability policy");
  if (container.legalHold) parts.push("container legal hold");
  if (container.versionLevelImmutability) parts.push("version-level immutability");
  if (blob.immutabilityPolicy) {
    parts.push(`blob policy ${blob.immutabilityPolicy.mode} until ${blob.immutabilityPolicy.until}`);
  }
  if (blob.legalHold) parts.push("blob legal hold");
  return {
    ...container,
    protected: parts.length > 0,
    summary: parts.length > 0 ? parts.join(", ") : "none",
    ...(blob.immutabilityPolicy ? { blobImmutabilityPolicy: blob.immutabilityPolicy } : {}),
    ...(blob.legalHold !== undefined ? { blobLegalHold: blob.legalHold } : {}),
  };
}
