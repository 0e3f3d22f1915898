/**
 * The `InvestigationPackageDownload` dynamic provider as it runs in the provider process: it shares the
 * process's settings and its Defender client (token cache, rate budgets, status reader, connections) with
 * every other resource of the package. The resource ID is the package's path, or its blob URL.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DefenderError, isDefenderError } from "../../core/errors";
import { destinationFor } from "../evidence/destinationFor";
import { asRunningTransfer, transferCancellation } from "../evidence/transferCancellation";
import { actionProvider } from "../shared/actionProvider";
import { currentSettings, profileOf } from "../shared/providerSettings";
import { surfaceError } from "../shared/surfaceError";
import { downloadEvidence } from "./downloadEvidence";
import { checkDownloadInputs, diffDownloadInputs, downloadInputs } from "./downloadInputs";
import { downloadOutputs, storedDigest, storedLocation } from "./downloadOutputs";
import { restoreFromState } from "./restoreFromState";

/** Cleans an error for the engine's output: one paragraph ending in its stable code, no stack. */
function surfaceDownloadError(error: unknown): Error {
  if (isDefenderError(error) && error.operation === "download") {
    return surfaceError(
      new DefenderError(
        error.code,
        `Downloading the investigation package failed: ${error.message} Nothing was kept.`,
        { operation: "download" },
      ),
    );
  }
  return surfaceError(error);
}

/** Downloads the package and returns the outputs; `location` keeps a re-download at its path. */
async function download(
  news: Record<string, unknown>,
  location?: ReturnType<typeof storedLocation>,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  const inputs = downloadInputs(news);
  // A stop signal to the provider process (the engine closing it) aborts the transfer and removes its
  // partial file before the process ends.
  const signal = transferCancellation();
  const evidence = await asRunningTransfer(() =>
    downloadEvidence(currentSettings(profileOf(news)), inputs, { ...(location ? { location } : {}), signal }),
  );
  return { id: evidence.location.path, outs: downloadOutputs(inputs, evidence) };
}

/** The provider implementation. Methods match `pulumi.dynamic.ResourceProvider`. */
export const downloadProvider = actionProvider(
  {
    /** Validates inputs at preview: no API call, no transfer. */
    check: checkDownloadInputs,

    /**
     * A new actionId or directory is a new download (the old files stay). A file that the last refresh
     * found missing or altered is an update, which downloads the same action again: no new collection.
     */
    async diff(
      _id: string,
      olds: Record<string, unknown>,
      news: Record<string, unknown>,
    ): Promise<pulumi.dynamic.DiffResult> {
      const { changed, replaces, drifted } = diffDownloadInputs(olds, news);
      return { changes: changed.length > 0 || drifted, replaces, deleteBeforeReplace: false };
    },

    /** Waits for the collection to succeed, then downloads, proves and records its package. */
    async create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
      return download(news);
    },

    /**
     * Hashes the file again (no API call): `fileStatus` says whether it is intact, missing, altered, or
     * lacks its manifest. Anything but intact makes the next `up` download it again.
     */
    async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
      const location = storedLocation(props);
      const expected = storedDigest(props);
      if (!location || !expected) return { id, props };
      const inputs = downloadInputs(props);
      const fileStatus = await destinationFor(currentSettings(profileOf(props)), inputs).inspect(
        location,
        expected,
      );
      return { id, props: { ...props, fileStatus } };
    },

    /** Re-downloads a drifted file to its path; otherwise only the stored inputs change. */
    async update(
      _id: string,
      olds: Record<string, unknown>,
      news: Record<string, unknown>,
    ): Promise<pulumi.dynamic.UpdateResult> {
      const { drifted } = diffDownloadInputs(olds, news);
      const location = storedLocation(olds);
      if (drifted && location) {
        // A missing or altered manifest beside an intact package is written again from state: no link.
        const inputs = downloadInputs(news);
        const restored = await restoreFromState(
          destinationFor(currentSettings(profileOf(news)), inputs),
          olds,
          {
            ...inputs,
          },
        );
        if (restored) return { outs: restored };
      }
      if (drifted || !location) return { outs: (await download(news, location)).outs };
      const { __provider: _provider, ...stored } = olds;
      return { outs: { ...stored, ...downloadInputs(news) } };
    },

    /** Evidence is never deleted: the files stay, only state is dropped. */
    async delete(): Promise<void> {},
  },
  { surface: surfaceDownloadError },
);
