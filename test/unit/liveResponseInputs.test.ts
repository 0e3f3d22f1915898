/**
 * LiveResponseFileCollection inputs at preview (paths, destination, timeout), the stored names of
 * collected files, and each path's record as a finished session's commands tell it.
 */
import test from "ava";
import type { MachineAction } from "../../src/client/wireTypes";
import {
  collectedFileName,
  commandRecords,
  shortText,
} from "../../src/resources/liveResponse/liveResponseFiles";
import {
  checkLiveResponseInputs,
  diffLiveResponseInputs,
  MAX_REMOTE_PATHS,
} from "../../src/resources/liveResponse/liveResponseInputs";
import { UNKNOWN_VALUE } from "../../src/resources/shared/inputChecks";

const DEVICE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";
const ACTION = "7c1e3b2a-4f5d-4e6a-9b8c-0d1e2f3a4b5c";
const base = { machineId: DEVICE, comment: "IR-4711", directory: "/tmp/evidence", paths: ["C:\\a.txt"] };

const failuresOf = (news: Record<string, unknown>) =>
  checkLiveResponseInputs(news).failures.map((f) => `${f.property}: ${f.reason}`);

test("valid inputs pass, trimmed, with defaults", (t) => {
  const { inputs, failures } = checkLiveResponseInputs({
    ...base,
    paths: ["  C:\\a.txt ", "/var/log/auth.log"],
  });
  t.deepEqual(failures, []);
  t.deepEqual(inputs.paths, ["C:\\a.txt", "/var/log/auth.log"]);
  t.is(inputs.timeoutInMinutes, 60);
});

test("paths: none, too many, empty, control characters and duplicates are refused", (t) => {
  t.regex(
    failuresOf({ ...base, paths: [] }).join("\n"),
    /paths must list the remote files to collect \(1 to 20/,
  );
  t.regex(failuresOf({ ...base, paths: "C:\\a.txt" }).join("\n"), /paths must list/);
  const many = Array.from({ length: MAX_REMOTE_PATHS + 1 }, (_, i) => `C:\\f${i}.txt`);
  t.regex(failuresOf({ ...base, paths: many }).join("\n"), /lists 21 files; one collection takes at most 20/);
  t.regex(failuresOf({ ...base, paths: ["C:\\a.txt", " "] }).join("\n"), /paths\[1\] must be the full path/);
  t.regex(
    failuresOf({ ...base, paths: ["C:\\a\nb.txt"] }).join("\n"),
    /paths\[0\] contains a control character \(U\+000a\)/,
  );
  t.regex(
    failuresOf({ ...base, paths: ["C:\\a.txt", "C:\\a.txt "] }).join("\n"),
    /paths\[1\] repeats paths\[0\]/,
  );
  t.deepEqual(failuresOf({ ...base, paths: ["C:\\a.txt", UNKNOWN_VALUE] }), [], "unknown at preview");
});

test("exactly one destination, as the package download takes it", (t) => {
  const { directory: _d, ...noDestination } = base;
  t.regex(failuresOf(noDestination).join("\n"), /A destination is required/);
  t.regex(
    failuresOf({ ...base, blobContainerUrl: "https://acct.blob.core.windows.net/evidence" }).join("\n"),
    /exactly one destination/,
  );
  t.regex(
    failuresOf({ ...base, timeoutInMinutes: 0 }).join("\n"),
    /timeoutInMinutes must be a number of minutes/,
  );
});

test("a change of paths replaces, a change of timeout updates", (t) => {
  const olds = checkLiveResponseInputs(base).inputs;
  t.deepEqual(diffLiveResponseInputs(olds, { ...olds, paths: ["C:\\b.txt"] }).replaces, ["paths"]);
  const slower = diffLiveResponseInputs(olds, { ...olds, timeoutInMinutes: 120 });
  t.deepEqual([slower.changed, slower.replaces], [["timeoutInMinutes"], []]);
});

test("stored names: device, action, command index and a safe base name", (t) => {
  const action = { id: ACTION, machineId: DEVICE, computerDnsName: "WS-042.contoso.com" } as MachineAction;
  t.is(
    collectedFileName(action, 2, "C:\\Windows\\Prefetch\\POWERSHELL.EXE-022A1004.pf"),
    `ws-042.contoso.com-${ACTION}-2-POWERSHELL.EXE-022A1004.pf`,
  );
  t.is(collectedFileName(action, 0, "/tmp/.cache/kworker d"), `ws-042.contoso.com-${ACTION}-0-kworker_d`);
  t.is(collectedFileName(action, 0, "/tmp/..hidden"), `ws-042.contoso.com-${ACTION}-0-hidden`);
  t.is(collectedFileName(action, 1, "C:\\dir\\"), `ws-042.contoso.com-${ACTION}-1-file`);
});

test("records: completed pending storage, failed with its error, the rest not run", (t) => {
  const action = {
    id: ACTION,
    machineId: DEVICE,
    status: "Failed",
    commands: [
      { index: 0, commandStatus: "Completed", errors: [] },
      { index: 1, commandStatus: "Failed", errors: ["File not found\u001b[31m"] },
      { index: 2, commandStatus: "Created", errors: [] },
    ],
  } as unknown as MachineAction;
  t.deepEqual(commandRecords(action, ["a", "b", "c"]), [
    { path: "a", index: 0, status: "pending" },
    { path: "b", index: 1, status: "failed", error: "File not found [31m" },
    { path: "c", index: 2, status: "notRun", error: "not run: an earlier command of the session failed" },
  ]);
  t.is(shortText("x".repeat(400)).length, 300);
});
