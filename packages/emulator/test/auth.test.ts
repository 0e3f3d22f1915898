import { generateKeyPairSync, sign } from "node:crypto";
import test from "ava";
import { type Emulator, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

let em: Emulator;

test.before(async () => {
  em = await startEmulator({ timeScale: 100 });
});
test.after.always(() => em?.close());

const machinesPath = () => `/api/machines/${em.fleet[0]!.id}`;

test("missing bearer token: 401 Unauthorized", async (t) => {
  const answer = await send(em, "GET", machinesPath());
  t.is(answer.status, 401);
  t.true(isApiError(answer, "Unauthorized"), answer.body);
});

test("garbage and badly signed tokens: 401", async (t) => {
  t.true(isApiError(await send(em, "GET", machinesPath(), { token: "not-a-jwt" }), "Unauthorized"));
  const token = await tokenFor(em);
  const [header, payload] = token.split(".");
  const forged = `${header}.${payload}.${sign("sha256", Buffer.from(`${header}.${payload}`), generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey).toString("base64url")}`;
  const answer = await send(em, "GET", machinesPath(), { token: forged });
  t.is(answer.status, 401);
  t.true(isApiError(answer, "Unauthorized"));
});

test("a token for another audience: 401", async (t) => {
  const answer = await send(em, "GET", machinesPath(), {
    token: em.issueToken({ audience: "https://graph.microsoft.com" }),
  });
  t.is(answer.status, 401);
  t.true(isApiError(answer, "Unauthorized"));
  t.regex(answer.json.error.message, /audience/);
  const newHost = em.issueToken({ audience: "https://api.security.microsoft.com" });
  t.is(
    (await send(em, "GET", machinesPath(), { token: newHost })).status,
    200,
    "the newer host's audience is accepted",
  );
});

test("a tampered token (claims edited): 401", async (t) => {
  const token = await tokenFor(em);
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
  const tampered = Buffer.from(JSON.stringify({ ...claims, roles: ["Machine.ReadWrite.All"] })).toString(
    "base64url",
  );
  const answer = await send(em, "GET", machinesPath(), { token: `${header}.${tampered}.${signature}` });
  t.is(answer.status, 401);
  t.true(isApiError(answer, "Unauthorized"));
});

test("a minted expired token: 401", async (t) => {
  const answer = await send(em, "GET", machinesPath(), { token: em.issueToken({ lifetimeSeconds: 0 }) });
  t.is(answer.status, 401);
  t.regex(answer.json.error.message, /expired/);
});

test("an expired token: 401 (advanceTime past its lifetime)", async (t) => {
  const local = await startEmulator({ timeScale: 1, tokenLifetimeSeconds: 3600 });
  t.teardown(() => local.close());
  const token = await tokenFor(local);
  t.is((await send(local, "GET", `/api/machines/${local.fleet[0]!.id}`, { token })).status, 200);
  local.advanceTime(3601);
  const answer = await send(local, "GET", `/api/machines/${local.fleet[0]!.id}`, { token });
  t.is(answer.status, 401);
  t.regex(answer.json.error.message, /expired/);
});

test("a token from another emulator (other signing key): 401", async (t) => {
  const other = await startEmulator();
  t.teardown(() => other.close());
  const answer = await send(em, "GET", machinesPath(), { token: await tokenFor(other) });
  t.is(answer.status, 401);
});

test("missing roles: 403 Forbidden per the role table", async (t) => {
  const readOnly = em.addApp({ clientSecret: "s3cret-read", roles: ["Machine.Read.All"] });
  const collector = em.addApp({ clientSecret: "s3cret-collect", roles: ["Machine.CollectForensics"] });
  const readToken = await tokenFor(em, readOnly);
  const collectToken = await tokenFor(em, collector);
  const device = em.fleet[0]!;

  t.is((await send(em, "GET", `/api/machines/${device.id}`, { token: readToken })).status, 200);
  const collect = await send(em, "POST", `/api/machines/${device.id}/collectInvestigationPackage`, {
    token: readToken,
    json: { Comment: "x" },
  });
  t.is(collect.status, 403);
  t.true(isApiError(collect, "Forbidden"));

  const created = await send(em, "POST", `/api/machines/${device.id}/collectInvestigationPackage`, {
    token: collectToken,
    json: { Comment: "x" },
  });
  t.is(created.status, 201);
  const id = created.json.id as string;
  t.true(
    isApiError(await send(em, "GET", `/api/machineactions/${id}`, { token: collectToken }), "Forbidden"),
  );
  t.true(isApiError(await send(em, "GET", "/api/machines", { token: collectToken }), "Forbidden"));
  t.true(
    isApiError(
      await send(em, "GET", `/api/machineactions/${id}/GetPackageUri`, { token: readToken }),
      "Forbidden",
    ),
    "GetPackageUri needs Machine.ReadWrite.All",
  );
  t.true(
    isApiError(
      await send(em, "POST", `/api/machineactions/${id}/cancel`, {
        token: readToken,
        json: { Comment: "x" },
      }),
      "Forbidden",
    ),
  );
  const cancelled = await send(em, "POST", `/api/machineactions/${id}/cancel`, {
    token: collectToken,
    json: { Comment: "stop" },
  });
  t.is(cancelled.status, 200, "any machine-action role may cancel");
});
