/**
 * One error format everywhere: for EVERY stable code of the package (read from the sources, so a new
 * code without a representative here fails this test), a representative error goes through the paths
 * that show errors to a user, and each result is one paragraph ending in `[CODE]`, without escape codes
 * or stack frames:
 *
 * - the provider's answers to the engine (`surfaceError`, used by every provider method), including the
 *   line the dynamic-provider host echoes to stderr for check, diff, read and delete, which is dropped;
 * - the program's functions (`programError`, used by `getMachines`), printed by Pulumi's Node.js runtime
 *   as their message alone;
 * - input checks (`checkedWithSettings`), the old-Node error, the import-option error.
 *
 * How the engine prints them is in test/engine/errorFormatPreview.test.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";

// The host's echo goes through console.error: capture it before the package wraps it.
const echoed: string[] = [];
console.error = (...args: unknown[]) => {
  echoed.push(args.map(String).join(" "));
};

import * as pulumi from "@pulumi/pulumi";
import { apiStatusError as httpStatusError } from "../../src/client/apiStatusError";
import { DefenderError, type DefenderErrorCode, type OperationInfo } from "../../src/core/errors";
import { errorCode } from "../../src/core/userMessage";
import { networkError } from "../../src/http/networkErrors";
import { nodeUnsupported } from "../../src/provider/requireNode";
import { checkCollectionInputs } from "../../src/resources/collection/collectionInputs";
import { CollectionIncompleteError } from "../../src/resources/collection/collectionOutputs";
import { checkDownloadInputs } from "../../src/resources/download/downloadInputs";
import { EvidenceError, type EvidenceErrorCode } from "../../src/resources/evidence/evidenceError";
import { IsolationIncompleteError } from "../../src/resources/isolation/isolationProvider";
import { LiveResponseIncompleteError } from "../../src/resources/liveResponse/liveResponseOutputs";
import { ResourceIncompleteError } from "../../src/resources/shared/incompleteError";
import { checkedWithSettings } from "../../src/resources/shared/providerSettings";
import { surfaceError } from "../../src/resources/shared/surfaceError";
import { importNotSupported } from "../../src/sdk/investigationPackageCollection";
import { programError } from "../../src/sdk/programError";

const SRC = path.join(__dirname, "..", "..", "..", "src");
const ACTION = "7c1e3b2a-4f5d-4e6a-9b8c-0d1e2f3a4b5c";
const DEVICE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";
const COLLECT: OperationInfo = {
  name: "collect",
  label: "collecting an investigation package",
  permissions: ["Machine.CollectForensics"],
};
const RED = "\u001b[31m";
const RESET = "\u001b[0m";

/** The codes a union type in `file` lists (`| "MDE_..."`). */
function codesIn(file: string): string[] {
  return [...readFileSync(path.join(SRC, file), "utf8").matchAll(/\|\s*"(MDE_[A-Z0-9_]+)"/g)].map(
    (m) => m[1]!,
  );
}

const transport = (code: string) =>
  networkError(
    Object.assign(new Error(`connect ${code}`), { code }),
    "collect",
    `POST https://api.security.microsoft.com/api/machines/${DEVICE}/collectInvestigationPackage`,
  );
const status = (s: number, apiCode?: string) =>
  httpStatusError(s, {
    operation: COLLECT,
    machineId: DEVICE,
    ...(apiCode ? { apiCode } : {}),
    apiMessage: `${RED}denied${RESET}`,
  });
const defender = (code: DefenderErrorCode, message: string) => new DefenderError(code, message);
const evidence = (code: string, message: string) => new EvidenceError(code as EvidenceErrorCode, message);

/** A representative error per code, made by the code that makes it where that is cheap. */
const REPRESENTATIVES: Record<string, () => unknown> = {
  MDE_HTTP_TIMEOUT: () => transport("UND_ERR_CONNECT_TIMEOUT"),
  MDE_CONNECTION_RESET: () => transport("ECONNRESET"),
  MDE_CONNECTION_REFUSED: () => transport("ECONNREFUSED"),
  MDE_DNS_FAILURE: () => transport("ENOTFOUND"),
  MDE_TLS_FAILURE: () => transport("UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
  MDE_NETWORK_ERROR: () => transport("EPIPE_UNKNOWN"),
  MDE_ABORTED: () => defender("MDE_ABORTED", "The operation was aborted by the caller."),
  MDE_UNAUTHORIZED: () => status(401),
  MDE_FORBIDDEN: () => status(403),
  MDE_NOT_FOUND: () => status(404),
  MDE_THROTTLED: () => status(429),
  MDE_SERVER_ERROR: () => status(503),
  MDE_BAD_REQUEST: () => status(400, "InvalidInput"),
  MDE_ACTIVE_REQUEST_EXISTS: () => status(400, "ActiveRequestAlreadyExists"),
  MDE_OS_NOT_SUPPORTED: () => status(400, "OsPlatformNotSupported"),
  MDE_HTTP_ERROR: () => status(418),
  MDE_INVALID_RESPONSE: () =>
    defender(
      "MDE_INVALID_RESPONSE",
      "The API answered 200 to collecting an investigation package without an action id.\n",
    ),
  MDE_AUTH_FAILED: () =>
    defender(
      "MDE_AUTH_FAILED",
      `Obtaining an access token (client secret) failed: AADSTS7000215: Invalid client secret provided.\n\n${RED}Check mde:clientSecret${RESET}.`,
    ),
  MDE_CONFIG_INVALID: () =>
    defender("MDE_CONFIG_INVALID", "Invalid mde:cloud: expected one of public, gcc, gcc-high, dod."),
  MDE_OUTCOME_UNKNOWN: () =>
    defender(
      "MDE_OUTCOME_UNKNOWN",
      "The collection POST may have reached Defender, and looking for it failed 3 times.",
    ),
  MDE_DEVICE_AMBIGUOUS: () =>
    defender(
      "MDE_DEVICE_AMBIGUOUS",
      `2 devices are named "ws-042":\n  - ${DEVICE} (Active)\n  - abc (Inactive)\nPick one by its ID.`,
    ),
  MDE_DEVICE_NOT_ACTIVE: () => defender("MDE_DEVICE_NOT_ACTIVE", "Device ws-042 is Inactive, not Active."),
  MDE_INPUT_INVALID: () => defender("MDE_INPUT_INVALID", "machineId is required."),
  MDE_IMPORT_UNSUPPORTED: () => importNotSupported("ws-042", ACTION),
  MDE_NODE_UNSUPPORTED: () => nodeUnsupported("20.20.2", "/usr/bin/node"),
  MDE_UNEXPECTED: () => new TypeError("Cannot read properties of undefined (reading 'status')"),
  MDE_ACTION_NOT_SUCCEEDED: () =>
    evidence("MDE_ACTION_NOT_SUCCEEDED", `Action ${ACTION} ended Failed: it has no package.`),
  MDE_ACTION_NOT_FINISHED: () =>
    evidence("MDE_ACTION_NOT_FINISHED", `Action ${ACTION} is still InProgress after 60 minutes.`),
  MDE_ACTION_UNUSABLE: () => evidence("MDE_ACTION_UNUSABLE", `Action ${ACTION} does not exist.`),
  MDE_PACKAGE_LINK_UNAVAILABLE: () => evidence("MDE_PACKAGE_LINK_UNAVAILABLE", "GetPackageUri gave no link."),
  MDE_PACKAGE_CORRUPT: () => evidence("MDE_PACKAGE_CORRUPT", "Entry 'a.txt' fails its CRC-32."),
  MDE_EVIDENCE_STORAGE: () => evidence("MDE_EVIDENCE_STORAGE", "/evidence is not writable (EACCES)."),
  MDE_TRANSFER_TIMEOUT: () =>
    evidence("MDE_TRANSFER_TIMEOUT", "The transfer did not finish within 30 minutes."),
  MDE_PACKAGE_TOO_LARGE: () => evidence("MDE_PACKAGE_TOO_LARGE", "The body ran past 2 GiB."),
  MDE_EVIDENCE_NOT_IMMUTABLE: () =>
    evidence("MDE_EVIDENCE_NOT_IMMUTABLE", "The container has no immutability policy."),
  MDE_EVIDENCE_CONFLICT: () => evidence("MDE_EVIDENCE_CONFLICT", "Another blob holds the name."),
  MDE_RESOURCE_INCOMPLETE: () =>
    new ResourceIncompleteError(
      "The download was started and could not finish.",
      ACTION,
      {},
      { __provider: "x" },
    ),
  MDE_ISOLATION_INCOMPLETE: () =>
    new IsolationIncompleteError(
      `Releasing device ${DEVICE} from isolation (action ${ACTION}) ended Failed: the device may still be isolated.`,
      ACTION,
      {},
      { __provider: "x" },
    ),
  MDE_LIVE_RESPONSE_INCOMPLETE: () =>
    new LiveResponseIncompleteError(
      `Live response ${ACTION} on device ${DEVICE} ended Failed: 1 of 3 files collected. Not collected: "C:\\Temp\\x.ps1" (command 1) failed on the device: File not found.`,
      ACTION,
      {},
      { __provider: "x" },
    ),
  MDE_COLLECTION_INCOMPLETE: () =>
    new CollectionIncompleteError(
      `Collection ${ACTION} on device ${DEVICE} ended Failed: the device reported a failure. It is kept in state.`,
      ACTION,
      {},
      { __provider: "x" },
    ),
};

const ALL_CODES = [
  ...new Set([
    ...codesIn("core/errors.ts"),
    ...codesIn("resources/evidence/evidenceError.ts"),
    "MDE_RESOURCE_INCOMPLETE",
    "MDE_COLLECTION_INCOMPLETE",
    "MDE_ISOLATION_INCOMPLETE",
    "MDE_LIVE_RESPONSE_INCOMPLETE",
  ]),
];

/** One paragraph ending in `[code]`, nothing a terminal would interpret, no stack frame. */
function assertFormat(t: import("ava").ExecutionContext, text: string, code: string, where: string): void {
  t.true(text.endsWith(`[${code}]`), `${where}: ends with [${code}]: ${JSON.stringify(text.slice(-80))}`);
  t.false(text.slice(0, -code.length - 2).includes(`[${code}]`), `${where}: the code once`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  t.notRegex(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, `${where}: no escape or control characters`);
  t.notRegex(text, /\n\s*\n/, `${where}: one paragraph`);
  t.notRegex(text, /^\s+at .+[:(]/m, `${where}: no stack frame`);
}

test("the sources' codes all have a representative here", (t) => {
  t.true(ALL_CODES.length >= 30, `found ${ALL_CODES.length} codes`);
  t.deepEqual(
    ALL_CODES.filter((c) => REPRESENTATIVES[c] === undefined),
    [],
  );
});

for (const code of ALL_CODES) {
  test(`${code}: one paragraph ending in [${code}] from the provider and from the program`, (t) => {
    const make = REPRESENTATIVES[code];
    if (!make) return t.fail(`no representative for ${code}`);
    const raw = make();
    if (code !== "MDE_UNEXPECTED") t.is(errorCode(raw), code, "the representative carries its code");

    // The provider: what the engine shows, and the host's echo of it, which must not appear at all.
    const surfaced = surfaceError(raw);
    assertFormat(t, surfaced.message, code, "provider");
    t.notRegex(surfaced.stack ?? "", /\n\s+at /, "provider: no stack frames even in .stack");
    t.is(
      typeof (surfaced as { code?: unknown }).code === "number",
      false,
      "no numeric code for gRPC to take",
    );
    const before = echoed.length;
    // Exactly what @pulumi/pulumi/cmd/dynamic-provider prints for check, diff, read and delete.
    console.error(`${surfaced}: ${surfaced.stack}`);
    t.is(echoed.length, before, "the host's echo is dropped: the engine shows the error once");

    // The program (getMachines): printed by the runtime as its message alone, the code kept for callers.
    const fresh = make();
    const thrown = programError(fresh);
    assertFormat(t, thrown.message, code, "program");
    t.true(pulumi.RunError.isInstance(thrown), "program: printed by its message alone");
    t.is(errorCode(thrown), code);
    t.notRegex(thrown.stack ?? "", /\n\s+at /);
  });
}

test("input checks: every failure reason ends in its code (MDE_INPUT_INVALID; MDE_CONFIG_INVALID for settings)", (t) => {
  const saved = { ...process.env };
  t.teardown(() => {
    process.env = saved;
  });
  for (const key of Object.keys(process.env))
    if (key.startsWith("AZURE_") || key.startsWith("MDE_")) delete process.env[key];
  const collection = checkedWithSettings(
    checkCollectionInputs({ machineId: "ws-042.contoso.local", comment: `IR-4711 ${RED}red${RESET}` }),
  );
  const download = checkedWithSettings(checkDownloadInputs({ actionId: "not-a-guid", directory: "" }));
  const failures = [...collection.failures, ...download.failures];
  t.true(failures.length >= 4, JSON.stringify(failures));
  for (const f of failures) {
    assertFormat(
      t,
      f.reason,
      f.property.startsWith("mde") ? "MDE_CONFIG_INVALID" : "MDE_INPUT_INVALID",
      f.property,
    );
  }
  t.true(failures.some((f) => f.property === "machineId"));
  t.true(
    failures.some((f) => f.property.startsWith("mde")),
    "the missing credentials are reported too",
  );
});

test("an echo line that is not one of ours passes: another dynamic provider's errors stay visible", (t) => {
  const before = echoed.length;
  const foreign = new Error("someone else's provider failed");
  console.error(`${foreign}: ${foreign.stack}`);
  t.is(echoed.length, before + 1);
});
