import test from "ava";
import type { MachineAction } from "../../src/client/wireTypes";
import {
  apiHostOf,
  buildEvidenceManifest,
  MANIFEST_SCHEMA,
  manifestText,
  splitPulumiStack,
} from "../../src/resources/evidence/evidenceManifest";

const action: MachineAction = {
  id: "6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b",
  type: "CollectInvestigationPackage",
  status: "Succeeded",
  machineId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
  computerDnsName: "ws-042.contoso.local",
  requestor: "app-id",
  requestorComment: "IR-4711: alert 1234",
  creationDateTimeUtc: "2026-11-26T10:00:00Z",
  lastUpdateDateTimeUtc: "2026-11-26T10:06:00Z",
  troubleshootInfo: "not recorded",
};

const facts = {
  fileName: "ws-042.contoso.local-6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b.zip",
  sizeInBytes: 15_000_000,
  sha256: "a".repeat(64),
  contentMd5: "q83vEjRWeJA=",
  zipEntriesVerified: 42,
  action,
  downloadedAt: "2026-11-26T10:07:00.000Z",
  apiEndpoint: "https://api.security.microsoft.com",
  linkRequests: 2,
  resumedTransfers: 1,
  restartedTransfers: 0,
  pulumiStack: "ir-4711/prod",
  toolName: "pulumi-mde",
  toolVersion: "0.2.0",
};

test("the manifest records the action, the download, the deployment and the tool", (t) => {
  t.deepEqual(buildEvidenceManifest(facts), {
    schema: MANIFEST_SCHEMA,
    package: {
      fileName: facts.fileName,
      sizeInBytes: 15_000_000,
      sha256: "a".repeat(64),
      contentMd5: "q83vEjRWeJA=",
      zipEntriesVerified: 42,
    },
    action: {
      id: action.id,
      type: "CollectInvestigationPackage",
      status: "Succeeded",
      machineId: action.machineId,
      computerDnsName: "ws-042.contoso.local",
      requestor: "app-id",
      requestorComment: "IR-4711: alert 1234",
      creationDateTimeUtc: "2026-11-26T10:00:00Z",
      lastUpdateDateTimeUtc: "2026-11-26T10:06:00Z",
    },
    download: {
      downloadedAt: "2026-11-26T10:07:00.000Z",
      apiHost: "api.security.microsoft.com",
      linkRequests: 2,
      resumedTransfers: 1,
      restartedTransfers: 0,
    },
    pulumi: { project: "ir-4711", stack: "prod" },
    tool: { name: "pulumi-mde", version: "0.2.0" },
  });
});

test("absent fields are null, so every manifest has the same keys; no Content-MD5 when none came", (t) => {
  const m = buildEvidenceManifest({
    ...facts,
    contentMd5: undefined,
    pulumiStack: undefined,
    action: { ...action, computerDnsName: null, requestor: undefined, lastUpdateDateTimeUtc: undefined },
  });
  t.false("contentMd5" in m.package);
  t.deepEqual(m.pulumi, { project: null, stack: null });
  t.is(m.action.computerDnsName, null);
  t.is(m.action.requestor, null);
  t.is(m.action.lastUpdateDateTimeUtc, null);
});

test("only the API host is kept, never a path or query; the text is stable JSON", (t) => {
  t.is(apiHostOf("https://127.0.0.1:8443/prefix?x=1"), "127.0.0.1:8443");
  t.is(apiHostOf("not a url"), "not a url");
  t.deepEqual(splitPulumiStack("proj/org/stack"), { project: "proj", stack: "org/stack" });
  t.deepEqual(splitPulumiStack("dev"), { project: null, stack: "dev" });
  const text = manifestText(buildEvidenceManifest(facts));
  t.true(text.endsWith("}\n"));
  t.deepEqual(JSON.parse(text), buildEvidenceManifest(facts));
  t.false(text.includes("troubleshootInfo"), "only the documented custody fields");
});
