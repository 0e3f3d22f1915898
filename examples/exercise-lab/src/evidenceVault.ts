/**
 * Where evidence is kept in Azure: a storage account with a private container under a time-based
 * immutability policy (WORM: blobs can be added and read, not changed or deleted, until each is older
 * than the retention period). pulumi-mde downloads packages to a local folder today; uploading them
 * here is a command the stack prints (see the README), and a destination of the library later.
 */
import * as storage from "@pulumi/azure-native/storage";
import type * as pulumi from "@pulumi/pulumi";

/** The container that receives evidence. */
export const EVIDENCE_CONTAINER_NAME = "evidence";

/** What {@link evidenceVault} declares. */
export interface EvidenceVault {
  account: storage.StorageAccount;
  container: storage.BlobContainer;
  immutabilityPolicy: storage.BlobContainerImmutabilityPolicy;
}

/** Declares the storage account, the evidence container and its immutability policy. */
export function evidenceVault(args: {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  immutabilityDays: number;
}): EvidenceVault {
  const { resourceGroupName, location, tags } = args;
  // Auto-named ("evidence" and a random suffix): account names are global, lowercase letters and digits.
  const account = new storage.StorageAccount("evidence", {
    resourceGroupName,
    location,
    tags,
    kind: "StorageV2",
    sku: { name: "Standard_LRS" },
    accessTier: "Hot",
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    // Entra ID only (az ... --auth-mode login): no account keys or SAS that could bypass who-did-what.
    allowSharedKeyAccess: false,
  });
  // Deleting the account deletes the container and its policy: Pulumi does not delete them one by one
  // (an unlocked policy's delete needs its ETag, and a locked one cannot be deleted at all).
  const container = new storage.BlobContainer(
    "evidence",
    {
      resourceGroupName,
      accountName: account.name,
      containerName: EVIDENCE_CONTAINER_NAME,
      publicAccess: "None",
    },
    { deletedWith: account },
  );
  const immutabilityPolicy = new storage.BlobContainerImmutabilityPolicy(
    "evidence-worm",
    {
      resourceGroupName,
      accountName: account.name,
      containerName: container.name,
      immutabilityPeriodSinceCreationInDays: args.immutabilityDays,
      // Packages are uploaded whole: no appends to protected blobs.
      allowProtectedAppendWrites: false,
    },
    { deletedWith: account },
  );
  return { account, container, immutabilityPolicy };
}
