/**
 * The runbook's `custody` output reflects the file status a refresh found: a package deleted after `up`
 * shows `fileStatus: "missing"` in `pulumi stack output custody` after `pulumi refresh --run-program`
 * (which runs the program, so stack outputs are computed again), and `intact` again after the `up` that
 * downloads it anew. A plain `pulumi refresh` leaves stack outputs as the last `up` wrote them (the
 * engine does not run the program): the README says which command shows the drift.
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  callsOf,
  createFolderProgram,
  emulatorConfig,
  healthyIds,
  REPO_ROOT,
  startTestEmulator,
} from "pulumi-mde-harness";

interface Row {
  machineId: string;
  path: string;
  fileStatus: string;
}

test("custody says missing after refresh --run-program finds a package gone, and intact after the up that restores it", async (t) => {
  const em = await startTestEmulator({
    timeScale: 120,
    lifecycle: { pendingSeconds: 30, inProgressSeconds: 60 },
  });
  t.teardown(() => em.close());
  const [device] = healthyIds(em, 1);
  const p = createFolderProgram({
    programDir: REPO_ROOT,
    stackName: "custody",
    config: {
      ...emulatorConfig(em),
      "runbook:alert": { value: "IR-4711: custody drift" },
      "runbook:devices[0]": { value: device!, path: true },
    },
  });
  t.teardown(() => p.dispose());
  await p.init();
  await p.setConfig("runbook:evidenceDirectory", { value: path.join(p.tmpDir, "evidence") });

  await p.up();
  const custody = async () => (await p.outputs()).custody as Row[];
  const [row] = await custody();
  t.is(row?.fileStatus, "intact");
  t.true(existsSync(row!.path));

  rmSync(row!.path);
  await p.refresh();
  t.is((await custody())[0]?.fileStatus, "intact", "a plain refresh does not recompute stack outputs");
  await p.refresh(["--run-program"]);
  t.is((await custody())[0]?.fileStatus, "missing", "refresh --run-program shows what it found");

  await p.up();
  t.is((await custody())[0]?.fileStatus, "intact", "the up downloaded it again");
  t.true(existsSync(row!.path));
  t.is(callsOf(em, "collect").length, 1, "no second collection");
  await p.destroy();
});
