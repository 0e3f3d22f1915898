/**
 * The packages of one emulator, by action id. A package never changes, so an opened one is
 * kept (its CRC pass is the expensive part); the oldest are forgotten past a bound, which is
 * safe because reopening yields the same bytes.
 */
import { PackageBlob, packageSizeOf } from "./packageBlob";
import type { PackageSubject } from "./packageZip";
import type { ActionEntry } from "./store";

/** Opened packages kept at most; each holds about 20 KB plus two digests. */
export const MAX_CACHED_PACKAGES = 256;

/** Opens and caches investigation packages. */
export class PackageCatalog {
  private readonly blobs = new Map<string, Promise<PackageBlob>>();

  /** @param paddingBytes - extra streamed bytes per package (`packagePaddingBytes`) */
  constructor(private readonly paddingBytes: number) {}

  /** What the package of `entry` is generated from. */
  subjectOf(entry: ActionEntry): PackageSubject {
    return {
      actionId: entry.id,
      machineId: entry.machineId,
      computerDnsName: entry.computerDnsName,
      osPlatform: entry.osPlatform,
      paddingBytes: this.paddingBytes,
    };
  }

  /** The package of `entry`, opened once. */
  open(entry: ActionEntry): Promise<PackageBlob> {
    let blob = this.blobs.get(entry.id);
    if (!blob) {
      blob = PackageBlob.open(this.subjectOf(entry));
      this.blobs.set(entry.id, blob);
      blob.catch(() => this.blobs.delete(entry.id));
      if (this.blobs.size > MAX_CACHED_PACKAGES) {
        const oldest = this.blobs.keys().next().value;
        if (oldest !== undefined) this.blobs.delete(oldest);
      }
    }
    return blob;
  }

  /** Size in bytes of the package of `entry`, without generating its bytes. */
  size(entry: ActionEntry): number {
    return packageSizeOf(this.subjectOf(entry));
  }

  /** Forgets every opened package. */
  clear(): void {
    this.blobs.clear();
  }
}
