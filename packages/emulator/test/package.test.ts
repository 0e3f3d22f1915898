import { inflateRawSync } from "node:zlib";
import test from "ava";
import { request } from "undici";
import { type Emulator, startEmulator } from "../src";
import { packageEntries } from "../src/packageZip";
import { agentFor, send, tokenFor, waitForStatus } from "./support";

let em: Emulator;
let token: string;
test.before(async () => {
  em = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    packageLinkLifetimeSeconds: 600,
    tokenLifetimeSeconds: 86_400,
    // GetPackageUri allows 2 calls a minute; these tests run concurrently and are not about quotas.
    rateLimits: false,
  });
  token = await tokenFor(em);
});
test.after.always(() => em?.close());

/** Reads a ZIP's central directory and inflates every member. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const size = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + size);
    files.set(name, method === 8 ? inflateRawSync(data) : data);
    offset += 46 + nameLength;
  }
  return files;
}

async function succeededAction(prefix: string): Promise<string> {
  const device = em.fleet.find((d) => d.computerDnsName.startsWith(prefix))!;
  const created = await send(em, "POST", `/api/machines/${device.id}/collectInvestigationPackage`, {
    token,
    json: { Comment: "package" },
  });
  await waitForStatus(em, token, created.json.id, "Succeeded");
  return created.json.id;
}

async function download(actionId: string) {
  const link = (await send(em, "GET", `/api/machineactions/${actionId}/GetPackageUri`, { token })).json.value;
  const response = await fetchBuffer(link);
  return { link, ...response };
}

async function fetchBuffer(url: string) {
  const answer = await request(url, { dispatcher: agentFor(em) });
  return {
    status: answer.statusCode,
    headers: answer.headers,
    body: Buffer.from(await answer.body.arrayBuffer()),
  };
}

test("a Windows package: a real zip with the documented folders", async (t) => {
  const actionId = await succeededAction("dc01");
  const { status, headers, body } = await download(actionId);
  t.is(status, 200);
  t.is(headers["content-type"], "application/zip");
  const files = unzip(body);
  for (const folder of [
    "Autoruns/",
    "Installed programs/",
    "Network connections/",
    "Prefetch files/",
    "Processes/",
    "Scheduled tasks/",
    "Security event log/",
    "Services/",
    "SMB sessions/",
    "System Information/",
    "Temp Directories/",
    "Users and Groups/",
    "WdSupportLogs/",
  ]) {
    t.true(files.has(folder), folder);
  }
  t.true(files.has("CollectionSummaryReport.xls"));
  t.true(files.get("Processes/Processes.csv")!.toString().startsWith("Name,PID"));
  t.true(files.get("System Information/SystemInformation.txt")!.toString().includes("dc01"));
});

test("Linux and macOS packages have their own layouts", async (t) => {
  const linux = unzip((await download(await succeededAction("lnx-db-01"))).body);
  t.true(linux.has("Kernel modules/"));
  t.false(linux.has("Prefetch files/"));
  const mac = unzip((await download(await succeededAction("design-mbp-01"))).body);
  t.true(mac.has("Applications/"));
  t.true(mac.has("Kernel extensions/"));
});

test("package contents are deterministic from the action id", (t) => {
  const subject = {
    actionId: "c9042f41-8b34-4f5f-8ab5-7a6b2acd84d8",
    machineId: "a".repeat(40),
    computerDnsName: "x.test",
    osPlatform: "Windows10",
  };
  t.deepEqual(packageEntries(subject), packageEntries(subject));
  t.notDeepEqual(
    packageEntries(subject),
    packageEntries({ ...subject, actionId: "d9042f41-8b34-4f5f-8ab5-7a6b2acd84d8" }),
  );
});

test("an expired link: 403 AuthenticationFailed (as Azure Blob SAS); a tampered one too", async (t) => {
  // Its own emulator: advancing time would expire the links of the concurrent tests.
  const local = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
  });
  t.teardown(() => local.close());
  const localToken = await tokenFor(local);
  const created = await send(
    local,
    "POST",
    `/api/machines/${local.fleet[0]!.id}/collectInvestigationPackage`,
    {
      token: localToken,
      json: { Comment: "expiry" },
    },
  );
  await waitForStatus(local, localToken, created.json.id, "Succeeded");
  const uri = await send(local, "GET", `/api/machineactions/${created.json.id}/GetPackageUri`, {
    token: localToken,
  });
  const link = uri.json.value as string;
  t.is((await send(local, "GET", link)).status, 200);
  const forged = await send(local, "GET", link.replace(/sig=[^&]+/, "sig=AAAA"));
  t.is(forged.status, 403);
  t.regex(forged.body, /<Code>AuthenticationFailed<\/Code>/);
  local.advanceTime(601);
  const expired = await send(local, "GET", link);
  t.is(expired.status, 403);
  t.is(expired.headers["x-ms-error-code"], "AuthenticationFailed");
  t.regex(expired.body, /Signed expiry time/);
});

test("packagePaddingBytes makes large packages", async (t) => {
  const local = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    packagePaddingBytes: 2_000_000,
  });
  t.teardown(() => local.close());
  const localToken = await tokenFor(local);
  const created = await send(
    local,
    "POST",
    `/api/machines/${local.fleet[0]!.id}/collectInvestigationPackage`,
    {
      token: localToken,
      json: { Comment: "big" },
    },
  );
  await waitForStatus(local, localToken, created.json.id, "Succeeded");
  const link = (
    await send(local, "GET", `/api/machineactions/${created.json.id}/GetPackageUri`, { token: localToken })
  ).json.value;
  const answer = await send(local, "GET", link);
  t.true(answer.body.length > 1_000_000);
});
