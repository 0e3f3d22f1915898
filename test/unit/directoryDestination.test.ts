/**
 * The evidence folder on a real file system: a full disk while the manifest is written leaves neither
 * file (a real tmpfs of a few pages, when this process may mount one), a folder at the package's path is
 * a coded error naming it, an edited manifest is `manifestAltered` and is restored byte for byte, and a
 * second stack keeping the same package keeps its own manifest beside the first stack's.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { DirectoryDestination } from "../../src/resources/evidence/directoryDestination";
import { isEvidenceError } from "../../src/resources/evidence/evidenceError";
import { manifestSha256, manifestText } from "../../src/resources/evidence/evidenceManifest";

const PACKAGE = Buffer.alloc(100 * 1024, 7);
const FILE = "ws-042-3b4a2c1e-0000-4000-8000-000000000001.zip";

function manifestOf(stack: string, extra: Record<string, unknown> = {}): string {
  const [project, name] = stack.split("/");
  return manifestText({
    schema: "pulumi-mde/evidence-manifest/v1",
    package: { fileName: FILE, sizeInBytes: PACKAGE.length, sha256: "ab".repeat(32), zipEntriesVerified: 3 },
    action: { id: "3b4a2c1e-0000-4000-8000-000000000001", requestor: "ir@contoso.com", ...extra },
    pulumi: { project, stack: name },
  });
}

function folder(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mde-dest-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Mounts a tmpfs of `bytes` (root only); undefined when this process may not. */
function smallDisk(bytes: number): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), "mde-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

const diskTest = process.getuid?.() === 0 ? test : test.skip;

diskTest(
  "a full disk while the manifest is written leaves neither the package nor the manifest",
  async (t) => {
    const dir = smallDisk(256 * 1024);
    if (!dir) return t.fail("could not mount a tmpfs as root");
    t.teardown(() => {
      execFileSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    const destination = new DirectoryDestination(dir);
    const location = destination.locate(FILE);
    const staged = await destination.stage(location);
    await staged.append(PACKAGE);
    // Fill what is left of the disk, as another writer would, right before the commit.
    const filler = path.join(dir, "filler.bin");
    try {
      for (;;) writeFileSync(filler, Buffer.alloc(4096), { flag: "a" });
    } catch (error) {
      t.is((error as NodeJS.ErrnoException).code, "ENOSPC");
    }
    const error = await t.throwsAsync(staged.commit(manifestOf("proj/dev")));
    await staged.discard();
    t.true(isEvidenceError(error, "MDE_EVIDENCE_STORAGE"), String(error));
    t.true(error?.message.includes(location.manifestPath), "names the manifest's path");
    t.regex(error?.message ?? "", /ENOSPC/);
    t.deepEqual(readdirSync(dir), ["filler.bin"], "neither file, no temporary file");
  },
);

test("a folder at the package's path makes inspect fail with MDE_EVIDENCE_STORAGE naming it", async (t) => {
  const dir = folder(t);
  const destination = new DirectoryDestination(dir);
  const location = destination.locate(FILE);
  mkdirSync(location.path);
  const error = await t.throwsAsync(
    destination.inspect(location, { sha256: "ab".repeat(32), sizeInBytes: 1 }),
  );
  t.true(isEvidenceError(error, "MDE_EVIDENCE_STORAGE"), String(error));
  t.true(error?.message.includes(location.path));
  t.regex(error?.message ?? "", /EISDIR/);
  t.false((error?.message ?? "").includes("\n    at "), "no stack trace in the message");
});

test("an edited manifest is manifestAltered, a deleted one manifestMissing; restoreManifest writes it back", async (t) => {
  const dir = folder(t);
  const destination = new DirectoryDestination(dir);
  const location = destination.locate(FILE);
  const staged = await destination.stage(location);
  await staged.append(PACKAGE);
  const text = manifestOf("proj/dev");
  t.is(await staged.commit(text), undefined, "the manifest went where it was asked to");
  await staged.discard();
  const { createHash } = await import("node:crypto");
  const expected = {
    sha256: createHash("sha256").update(PACKAGE).digest("hex"),
    sizeInBytes: PACKAGE.length,
    manifestSha256: manifestSha256(text),
  };
  t.is(await destination.inspect(location, expected), "intact");
  writeFileSync(location.manifestPath, text.replace("ir@contoso.com", "someone@else.com"));
  t.is(await destination.inspect(location, expected), "manifestAltered");
  t.is(await destination.restoreManifest(location, text), text);
  t.is(readFileSync(location.manifestPath, "utf8"), text);
  t.is(await destination.inspect(location, expected), "intact");
  rmSync(location.manifestPath);
  t.is(await destination.inspect(location, expected), "manifestMissing");
  t.deepEqual(readdirSync(dir).sort(), [FILE].sort());
});

test("a second stack keeping the same package keeps its own manifest and leaves the first one's alone", async (t) => {
  const dir = folder(t);
  const destination = new DirectoryDestination(dir);
  const location = destination.locate(FILE);
  const commit = async (text: string) => {
    const staged = await destination.stage(location);
    await staged.append(PACKAGE);
    try {
      return await staged.commit(text);
    } finally {
      await staged.discard();
    }
  };
  const first = manifestOf("incident/prod");
  const second = manifestOf("lab/dev");
  t.is(await commit(first), undefined);
  const placed = await commit(second);
  const qualified = location.manifestPath.replace(/\.manifest\.json$/, ".lab.dev.manifest.json");
  t.deepEqual(placed, { manifestText: second, manifestPath: qualified });
  t.is(readFileSync(location.manifestPath, "utf8"), first, "the first stack's record is untouched");
  t.is(readFileSync(qualified, "utf8"), second);
  // The first stack downloading again replaces only its own record.
  const again = manifestOf("incident/prod", { requestorComment: "again" });
  t.is(await commit(again), undefined);
  t.is(readFileSync(location.manifestPath, "utf8"), again);
  t.is(readFileSync(qualified, "utf8"), second);
  t.is(readdirSync(dir).length, 3, "one package, two manifests, nothing else");
});

test("the manifest's text does not depend on key order or on nulls dropped by state", (t) => {
  const text = manifestOf("proj/dev");
  const parsed = JSON.parse(text) as Record<string, Record<string, unknown>>;
  const shuffled: Record<string, unknown> = {};
  for (const key of Object.keys(parsed).reverse()) {
    const section = parsed[key];
    if (section && typeof section === "object") {
      const inner: Record<string, unknown> = {};
      for (const k of Object.keys(section).reverse()) if (section[k] !== null) inner[k] = section[k];
      shuffled[key] = inner;
    } else shuffled[key] = section;
  }
  t.is(manifestText(shuffled), text);
});
