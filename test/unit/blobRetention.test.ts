/**
 * What protects an evidence container, read from the headers Azure Storage sends on Get Container
 * Properties (Azurite sends none of them: it implements no immutability).
 */
import test from "ava";
import { evidenceRetention, isImmutable, readContainerRetention } from "../../src/blob/blobRetention";

test("a container with a time-based policy, a legal hold, or version-level immutability is immutable", (t) => {
  const policy = readContainerRetention({
    "x-ms-has-immutability-policy": "true",
    "x-ms-has-legal-hold": "false",
  });
  t.deepEqual(policy, { immutabilityPolicy: true, legalHold: false, versionLevelImmutability: false });
  t.true(isImmutable(policy));
  t.true(isImmutable(readContainerRetention({ "x-ms-has-legal-hold": "True" })));
  t.true(isImmutable(readContainerRetention({ "x-ms-immutable-storage-with-versioning-enabled": "true" })));
});

test("a container that reports nothing (as Azurite does) is not immutable", (t) => {
  const none = readContainerRetention({
    "x-ms-has-immutability-policy": "false",
    "x-ms-has-legal-hold": "false",
  });
  t.false(isImmutable(none));
  t.false(isImmutable(readContainerRetention({})));
  t.like(evidenceRetention(none), { protected: false, summary: "none" });
});

test("the retention output names the container's protections and the blob's own policy", (t) => {
  const retention = evidenceRetention(
    readContainerRetention({ "x-ms-immutable-storage-with-versioning-enabled": "true" }),
    { immutabilityPolicy: { mode: "Locked", until: "2027-12-04T00:00:00.0000000Z" }, legalHold: false },
  );
  t.true(retention.protected);
  t.is(
    retention.summary,
    "version-level immutability, blob policy Locked until 2027-12-04T00:00:00.0000000Z",
  );
  t.deepEqual(retention.blobImmutabilityPolicy, { mode: "Locked", until: "2027-12-04T00:00:00.0000000Z" });
  t.false(retention.blobLegalHold);
});
