/**
 * Bad download inputs are rejected at `pulumi preview`, before any request or file is written: the error
 * names each field, what was expected and what to do.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { InvestigationPackageDownload } from "pulumi-mde";
import { emulatorStack, startTestEmulator } from "pulumi-mde-harness";
import { evidenceFolder, folderContents } from "../helpers/evidence";
import { failureOf, serviceCalls } from "../helpers/faults";

test("preview rejects a device ID as actionId, a file as directory and a zero timeout; nothing is sent", async (t) => {
  const em = await startTestEmulator();
  t.teardown(() => em.close());
  const folder = evidenceFolder(t);
  const file = path.join(folder, "not-a-folder");
  writeFileSync(file, "x");
  const s = await emulatorStack(em, async () => {
    new InvestigationPackageDownload("bad", {
      actionId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
      directory: file,
      timeoutInMinutes: 0,
    });
  });
  t.teardown(() => s.dispose());

  const failure = await failureOf(t, s.preview());
  const expect: Record<string, RegExp> = {
    actionId: /actionId must be the GUID of an investigation package collection.*looks like a device ID/,
    directory: /exists but is not a folder: give a folder path/,
    timeoutInMinutes: /timeoutInMinutes must be a number of minutes greater than 0/,
  };
  for (const [field, message] of Object.entries(expect)) {
    t.regex(failure, new RegExp(`property ${field} value [\\s\\S]*? has a problem: `), `${field} is named`);
    t.regex(failure, message, `${field}: cause and fix`);
  }
  t.deepEqual(serviceCalls(em), [], "no token request, no API call");
  t.deepEqual(folderContents(folder), { zips: [], manifests: [], other: ["not-a-folder"] });
});
