import test from "ava";
import {
  deviceNamePart,
  MAX_DEVICE_NAME_LENGTH,
  manifestPathFor,
  packageFileName,
  temporaryPathFor,
} from "../../src/resources/evidence/packageFileName";

const id = "6A2F1A4E-0F1C-4A3B-9D1E-2B7C8E9F0A1B";
const machineId = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";

test("the computer name names the package, lower case, with the action ID", (t) => {
  t.is(
    packageFileName({ id, machineId, computerDnsName: "WS-042.Contoso.local" }),
    "ws-042.contoso.local-6a2f1a4e-0f1c-4a3b-9d1e-2b7c8e9f0a1b.zip",
  );
});

test("without a computer name the device ID names it", (t) => {
  for (const computerDnsName of [null, undefined, "", "   "]) {
    t.is(packageFileName({ id, machineId, computerDnsName }), `${machineId}-${id.toLowerCase()}.zip`);
  }
});

test("names cannot climb folders, hide, or carry characters file systems refuse", (t) => {
  t.is(deviceNamePart({ id, machineId, computerDnsName: "../../etc/passwd" }), "_.._etc_passwd");
  t.is(deviceNamePart({ id, machineId, computerDnsName: "...hidden" }), "hidden");
  t.is(deviceNamePart({ id, machineId, computerDnsName: 'C:\\x y*?"<>|' }), "c__x_y______");
  t.is(deviceNamePart({ id, machineId, computerDnsName: "...." }), "device");
  t.is(deviceNamePart({ id, machineId, computerDnsName: "a".repeat(300) }).length, MAX_DEVICE_NAME_LENGTH);
});

test("the manifest sits beside the package; a temporary file is a dot file ending in .part", (t) => {
  t.is(manifestPathFor("/srv/evidence/ws-042-x.zip"), "/srv/evidence/ws-042-x.manifest.json");
  t.is(temporaryPathFor("/srv/evidence/ws-042-x.zip", "77-ab"), "/srv/evidence/.ws-042-x.zip.77-ab.part");
  t.is(temporaryPathFor("C:\\ev\\a.zip", "1"), "C:\\ev\\.a.zip.1.part");
});
