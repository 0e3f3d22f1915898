/**
 * The evidence destination a download's inputs name (any download: a package, live response files): a local folder, or a blob container signed in to
 * with the stack's own credential (scope Azure Storage), over the stack's connections and CA.
 */
import { BlobContainerClient } from "../../blob/blobClient";
import { parseBlobContainerUrl } from "../../blob/blobContainerUrl";
import { dispatcherFor, storageTokenProviderFor } from "../../client/clientParts";
import { configError } from "../../core/errors";
import type { Settings } from "../../settings/resolveSettings";
import { BlobDestination } from "./blobDestination";
import type { DestinationInputs } from "./destinationInputs";
import { DirectoryDestination } from "./directoryDestination";
import type { EvidenceDestination } from "./evidenceDestination";

/**
 * The destination of `inputs`.
 * @throws DefenderError `MDE_CONFIG_INVALID` when a blob destination meets a static Defender token, which
 *   cannot sign in to storage.
 */
export function destinationFor(settings: Settings, inputs: DestinationInputs): EvidenceDestination {
  if (inputs.blobContainerUrl === undefined) return new DirectoryDestination(inputs.directory ?? ".");
  if (settings.credential.kind === "accessToken") {
    throw configError(
      "mde:accessToken",
      "a credential that can also sign in to Azure Storage",
      undefined,
      "A static token is for the Defender API only. For blobContainerUrl, sign in with a client secret, certificate, federated token, GitHub OIDC, managed identity or the Azure CLI.",
    );
  }
  const client = new BlobContainerClient({
    container: parseBlobContainerUrl(inputs.blobContainerUrl),
    dispatcher: dispatcherFor(settings),
    tokens: storageTokenProviderFor(settings),
    retry: { timeScale: settings.timeScale },
  });
  return new BlobDestination({
    client,
    ...(inputs.blobPrefix !== undefined ? { blobPrefix: inputs.blobPrefix } : {}),
    ...(inputs.requireImmutableStorage !== undefined
      ? { requireImmutableStorage: inputs.requireImmutableStorage }
      : {}),
  });
}
