/**
 * The incident-response runbook as users run it: the root Pulumi.yaml's folder program
 * (dist/examples/ir-runbook) driven by the `pulumi` CLI in place, stack config set with
 * `pulumi config set` (the client secret with --secret) into a config file outside the repository.
 * Devices named by ID and by computer name; one collection per device, waited for, each package
 * downloaded to an evidence folder outside the repository; refresh and an unchanged up start nothing;
 * a revision bump collects again; destroy leaves nothing. No secret in the stored state, the config
 * file or anything the CLI printed.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  callsOf,
  createFolderProgram,
  emulatorConfig,
  type FolderConfig,
  healthyIds,
  REPO_ROOT,
  resourceSummary,
  startTestEmulator,
} from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets } from "../helpers/faults";

interface CustodyRow {
  device: string;
  machineId: string;
  actionId: string;
  status: string;
  sha256: string;
  path: string;
  isolated: boolean;
  files: Array<{ path: string; status: string; sha256: string; storedAt: string }>;
}

test("the runbook folder program: up isolates, collects once per device, downloads and pulls two files; refresh and an unchanged up start nothing; destroy releases every device and leaves nothing", async (t) => {
  const timeScale = 120;
  const em = await startTestEmulator({ timeScale, lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 } });
  t.teardown(() => em.close());
  const devices = healthyIds(em, 3);
  // The third device by its computer name, as an analyst would name it.
  const byName = em.fleet.find((d) => d.id === devices[2])!.computerDnsName;
  const config: FolderConfig = {
    ...emulatorConfig(em),
    "runbook:alert": { value: "IR-4711: ransomware behaviour on the finance floor (alert 1234)" },
    "runbook:devices[0]": { value: devices[0]!, path: true },
    "runbook:devices[1]": { value: devices[1]!, path: true },
    "runbook:devices[2]": { value: byName, path: true },
  };
  const p = createFolderProgram({ programDir: REPO_ROOT, stackName: "ir-4711", config });
  t.teardown(() => p.dispose());

  await p.init();
  // Evidence goes next to the stack's files, never into the repository.
  const evidence = path.join(p.tmpDir, "evidence");
  await p.setConfig("runbook:evidenceDirectory", { value: evidence });
  t.false(
    existsSync(path.join(REPO_ROOT, "Pulumi.ir-4711.yaml")),
    "no stack config written into the repository",
  );
  t.regex(p.configText(), /mde:clientSecret:\s+secure:/, "the client secret is stored encrypted in config");

  const up = await p.up();
  t.like(
    resourceSummary(up.stdout),
    { created: 13 },
    "the stack, and per device an isolation, a collection, a download and a file collection",
  );
  const custody = (await p.outputs()).custody as CustodyRow[];
  t.deepEqual(custody.map((r) => r.machineId).sort(), [...devices].sort());
  for (const row of custody) {
    t.is(row.status, "Succeeded", `device ${row.device} yielded a package`);
    t.regex(row.sha256, /^[0-9a-f]{64}$/);
    t.true(
      row.path.startsWith(evidence) && existsSync(row.path),
      `the package of ${row.device} is in the evidence folder`,
    );
    t.true(row.isolated, `device ${row.device} is contained`);
    t.deepEqual(
      row.files.map((f) => f.status),
      ["collected", "collected"],
      `two files pulled from ${row.device}`,
    );
    for (const f of row.files) t.true(f.storedAt.startsWith(evidence) && existsSync(f.storedAt));
  }
  for (const id of devices) t.true(em.isolationOf(id).isolated, `${id} isolated`);
  const posts = callsOf(em, "collect");
  t.is(posts.length, 3, "one collection POST per device");
  t.true(posts.every((c) => c.status === 201));
  t.deepEqual(
    devices.map((id) => posts.filter((c) => c.path.includes(id)).length),
    [1, 1, 1],
  );

  let state = await p.exportState();
  const collections = () => state.resources.filter((r) => r.type.endsWith(":InvestigationPackageCollection"));
  t.is(collections().length, 3);
  for (const r of collections()) t.like(r.outputs, { status: "Succeeded", actionId: r.id });

  await p.preview(["--expect-no-changes"]);
  const refresh = await p.refresh();
  t.like(resourceSummary(refresh.stdout), { unchanged: 13 });
  state = await p.exportState();
  t.deepEqual(
    collections().map((r) => r.outputs?.status),
    ["Succeeded", "Succeeded", "Succeeded"],
  );

  const again = await p.upExpectingNoChanges();
  t.like(resourceSummary(again.stdout), { unchanged: 13 });
  t.is(callsOf(em, "collect").length, 3, "no POST on refresh, preview or an unchanged up");

  await p.setConfig("runbook:revision", { value: "2" });
  const bumped = await p.up();
  t.is(callsOf(em, "collect").length, 6, "a new revision collects again from every device");
  t.true((resourceSummary(bumped.stdout).replaced ?? 0) >= 3, "every collection replaced");

  await p.destroy();
  t.deepEqual((await p.exportState()).resources, [], "nothing left in state");
  for (const id of devices) t.false(em.isolationOf(id).isolated, `destroy released ${id}`);
  t.is(callsOf(em, "unisolate").length, 3, "one release per device");

  assertNoSecrets(
    t,
    { state: p.backendText(), export: state.text, config: p.configText(), output: p.output() },
    emulatorSecrets(em),
  );
  t.log(
    `${resourceSummary(bumped.stdout).replaced} replaced on the revision bump; ` +
      p
        .runs()
        .map((r) => `${r.args.slice(0, 2).join(" ")}: ${r.durationInMs} ms`)
        .join(", "),
  );
});
