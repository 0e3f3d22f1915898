/**
 * Where evidence is kept in Azure: a storage account with a private container under a time-based
 * immutability policy (WORM: blobs can be added and read, not changed or deleted, until each is older
 * than the retention period), and the role that lets pulumi-mde's identity write blobs into it.
 * pulumi-mde downloads the packages straight into this container.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";

/** The container that receives evidence. */
export const EVIDENCE_CONTAINER_NAME = "evidence";

/** Built-in role Storage Blob Data Contributor: read, write and list blobs (its ID is the same in every tenant). */
export const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/** What {@link evidenceVault} declares. */
export interface EvidenceVault {
  account: storage.StorageAccount;
  container: storage.BlobContainer;
  immutabilityPolicy: storage.BlobContainerImmutabilityPolicy;
  /** Storage Blob Data Contributor on the container for the identity pulumi-mde signs in with. */
  writerRole: authorization.RoleAssignment;
  /** `https://<account>.blob.core.windows.net/evidence`: the download's `blobContainerUrl`. */
  containerUrl: pulumi.Output<string>;
}

/** A container's URL from the account's blob endpoint (which ends in `/`) and the container's name. */
export function containerUrlOf(blobEndpoint: string, containerName: string): string {
  return `${blobEndpoint.replace(/\/+$/, "")}/${containerName}`;
}

/** Declares the storage account, the evidence container, its immutability policy and its writer's role. */
export function evidenceVault(args: {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  immutabilityDays: number;
  subscriptionId: pulumi.Input<string>;
  /** Object ID of the identity pulumi-mde signs in to storage with. */
  writerPrincipalId: pulumi.Input<string>;
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
  // Scoped to the container, not the account: the identity can write evidence and nothing else.
  const writerRole = new authorization.RoleAssignment(
    "evidence-writer",
    {
      principalId: args.writerPrincipalId,
      roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_CONTRIBUTOR}`,
      scope: container.id,
    },
    { deletedWith: account },
  );
  const containerUrl = pulumi
    .all([account.primaryEndpoints, container.name])
    .apply(([endpoints, name]) => containerUrlOf(endpoints.blob, name));
  return { account, container, immutabilityPolicy, writerRole, containerUrl };
}
