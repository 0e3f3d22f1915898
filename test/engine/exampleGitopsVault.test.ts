/**
 * The GitOps example keeping its evidence in a blob container, as a workflow runs it: the
 * examples/gitops folder program with the `pulumi` CLI, signed in with GitHub Actions workload
 * identity federation (no secret), `gitops:evidenceContainerUrl` pointing at a container in Azurite
 * (the Azure Storage emulator, started beside the Defender emulator over HTTPS). Every package and its
 * manifest become blobs under `<ticket>/`, their bytes are what the emulator served, nothing is
 * written on the runner's disk, and a second `up` fetches no link.
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { FLEET_ROLES, GITHUB_ACTIONS_ISSUER, STORAGE_AUDIENCE } from "pulumi-mde-emulator";
import {
  callsOf,
  createFolderProgram,
  type FolderConfig,
  REPO_ROOT,
  resourceSummary,
  startAzurite,
  startTestEmulator,
} from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets } from "../helpers/faults";

const SUBJECT = "repo:contoso/incident-response:ref:refs/heads/main";

/** Every file under a folder, relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

test("gitops: each response's packages go to the evidence container under <ticket>/, proven by their bytes", async (t) => {
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const azurite = await startAzurite({ caFrom: em });
  t.teardown(() => azurite.stop());
  const containerUrl = await azurite.createContainer("evidence");

  const app = em.addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject: SUBJECT } });
  const runner = em.githubActionsEnv({ subject: SUBJECT });
  const base = em.providerConfig();
  const devices = [FLEET_ROLES.healthy[0].computerDnsName, FLEET_ROLES.healthy[1].computerDnsName];
  const config: FolderConfig = {
    "mde:apiEndpoint": base["mde:apiEndpoint"] as { value: string },
    "mde:authorityHost": base["mde:authorityHost"] as { value: string },
    "mde:caCertPath": base["mde:caCertPath"] as { value: string },
    "mde:timeScale": { value: "120" },
    "gitops:evidenceContainerUrl": { value: containerUrl },
    // Azurite implements no immutability policy; a real evidence container has one.
    "gitops:requireImmutableStorage": { value: "false" },
    "gitops:responses[0].ticket": { value: "IR-4711", path: true },
    "gitops:responses[0].reason": { value: "ransomware behaviour, alert 1234", path: true },
    "gitops:responses[0].devices[0].computerDnsName": { value: devices[0] as string, path: true },
    "gitops:responses[1].ticket": { value: "IR-4712", path: true },
    "gitops:responses[1].reason": { value: "lateral movement, alert 1240", path: true },
    "gitops:responses[1].devices[0].computerDnsName": { value: devices[1] as string, path: true },
  };
  const programDir = path.join(REPO_ROOT, "examples", "gitops");
  const before = filesUnder(programDir).sort();
  const p = createFolderProgram({
    programDir,
    stackName: "prod",
    config,
    env: {
      ARM_USE_OIDC: "true",
      AZURE_TENANT_ID: app.tenantId,
      AZURE_CLIENT_ID: app.clientId,
      ACTIONS_ID_TOKEN_REQUEST_URL: runner.ACTIONS_ID_TOKEN_REQUEST_URL,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: runner.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    },
  });
  t.teardown(() => p.dispose());
  await p.init();

  const up = await p.up();
  t.like(resourceSummary(up.stdout), { created: 5 }, "the stack, two collections, two downloads");
  t.true(
    callsOf(em, "token").every((c) => c.clientId === app.clientId),
    "Defender and storage tokens for the federated app",
  );
  const storageTokens = em.issuedTokens().filter((token) => {
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return claims.aud === STORAGE_AUDIENCE && claims.appid === app.clientId;
  });
  t.true(storageTokens.length >= 1, "the provider signed in to storage with the federated credential");

  const blobs = await azurite.listBlobs("evidence");
  const collections = (await p.outputs()).collections as Record<string, { actionId: string }>;
  const evidence = (await p.outputs()).evidence as Record<
    string,
    { blobUrl: string; manifestUrl: string; sha256: string }
  >;
  t.deepEqual(Object.keys(evidence).sort(), Object.keys(collections).sort());
  for (const [name, row] of Object.entries(evidence)) {
    const actionId = collections[name]?.actionId as string;
    const ticket = name.startsWith("ir-4711") ? "IR-4711" : "IR-4712";
    t.regex(row.blobUrl, new RegExp(`^${containerUrl}/${ticket}/[^/?]+-${actionId}\\.zip$`));
    t.is(row.manifestUrl, row.blobUrl.replace(/\.zip$/, ".manifest.json"));
    const blobName = decodeURIComponent(row.blobUrl.slice(containerUrl.length + 1));
    const blob = await azurite.readBlob("evidence", blobName);
    const served = await em.packageSha256(actionId);
    t.is(
      createHash("sha256").update(blob.bytes).digest("hex"),
      served,
      "the blob holds what Defender served",
    );
    t.is(row.sha256, served);
    t.is(blob.metadata.sha256, served, "the blob's metadata carries its hash");
    const manifest = await azurite.readBlob("evidence", blobName.replace(/\.zip$/, ".manifest.json"));
    t.true(manifest.bytes.toString("utf8").includes(served), "the manifest blob names the hash");
  }
  t.is(blobs.length, 4, "two packages and two manifests, nothing else");
  t.deepEqual(filesUnder(programDir).sort(), before, "nothing written beside the program");
  t.false(
    filesUnder(p.tmpDir).some((f) => f.endsWith(".zip")),
    "no package on the runner's disk",
  );

  // The next merge changes nothing: no new collection, no package link fetched.
  const links = callsOf(em, "getPackageUri").length;
  await p.upExpectingNoChanges();
  t.is(callsOf(em, "getPackageUri").length, links);
  t.is(callsOf(em, "collect").length, 2);

  const state = await p.exportState();
  t.false(/[?&]sig=/.test(state.text), "no package link in state");
  await p.destroy();
  t.is((await azurite.listBlobs("evidence")).length, 4, "destroy never deletes evidence");
  assertNoSecrets(
    t,
    { output: p.output(), state: p.backendText(), config: p.configText() },
    { ...emulatorSecrets(em), requestToken: [runner.ACTIONS_ID_TOKEN_REQUEST_TOKEN] },
  );
});
