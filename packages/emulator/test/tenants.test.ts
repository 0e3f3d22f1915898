import test from "ava";
import {
  type Emulator,
  FLEET_ROLES,
  GITHUB_ACTIONS_ISSUER,
  startEmulator,
  tenantDeviceId,
  tenantUserUpn,
} from "../src";
import { isApiError, jwtPayload, postToken, SCOPE, send, tokenFor, waitForStatus } from "./support";

let em: Emulator;
test.before(async () => {
  em = await startEmulator({
    tenants: 3,
    timeScale: 100,
    tokenLifetimeSeconds: 86_400,
    lifecycle: { pendingSeconds: 10, inProgressSeconds: 20 },
  });
});
test.after.always(() => em?.close());

const NAME = FLEET_ROLES.healthy[0]!.computerDnsName;

test("each tenant has its own default app, token endpoint and tid; tenant 0 is the default app's", async (t) => {
  t.is(em.tenants.length, 3);
  t.deepEqual(em.tenant(0).defaultApp, em.defaultApp);
  t.is(em.tenant(0).defaultUser, em.defaultUser);
  t.deepEqual(em.providerConfig({ tenant: 0 }), em.providerConfig());
  const ids = new Set(em.tenants.map((x) => x.tenantId));
  const clients = new Set(em.tenants.map((x) => x.defaultApp.clientId));
  const secrets = new Set(em.tenants.map((x) => x.defaultApp.clientSecret));
  t.is(ids.size, 3);
  t.is(clients.size, 3);
  t.is(secrets.size, 3);
  for (const tenant of em.tenants) {
    t.is(tenant.defaultApp.tenantId, tenant.tenantId);
    const claims = jwtPayload(await tokenFor(em, tenant.defaultApp));
    t.is(claims.tid, tenant.tenantId, `tenant ${tenant.index}'s token names its tenant`);
    t.is(claims.iss, `https://sts.windows.net/${tenant.tenantId}/`);
    const config = em.providerConfig({ tenant: tenant.index });
    t.deepEqual(config, tenant.providerConfig());
    t.is(config["mde:tenantId"]?.value, tenant.tenantId);
    t.is(config["mde:clientId"]?.value, tenant.defaultApp.clientId);
    t.deepEqual(config["mde:clientSecret"], { value: tenant.defaultApp.clientSecret, secret: true });
    t.is(config["mde:apiEndpoint"]?.value, em.url, "one endpoint for every tenant");
  }
  t.throws(() => em.tenant(3), { instanceOf: RangeError });
  t.throws(() => em.providerConfig({ tenant: 3 }), { instanceOf: RangeError });

  // An app lives in its own tenant: asked at another tenant's endpoint, Entra does not know it.
  const one = em.tenant(1).defaultApp;
  const elsewhere = await postToken(em, em.tenant(2).tenantId, {
    grant_type: "client_credentials",
    client_id: one.clientId,
    client_secret: one.clientSecret,
    scope: SCOPE,
  });
  t.is(elsewhere.status, 400);
  t.is(elsewhere.json.error, "unauthorized_client");
  t.regex(elsewhere.json.error_description, /^AADSTS700016:/);
  const otherSecret = await postToken(em, one.tenantId, {
    grant_type: "client_credentials",
    client_id: one.clientId,
    client_secret: em.tenant(2).defaultApp.clientSecret,
    scope: SCOPE,
  });
  t.is(otherSecret.status, 401);
  t.is(otherSecret.json.error, "invalid_client");
});

test("fleets share computer names on purpose; ids are distinct; a name resolves in the caller's tenant", async (t) => {
  const names = (i: number) => em.tenant(i).fleet.map((d) => d.computerDnsName);
  t.deepEqual(names(1), names(0));
  t.deepEqual(names(2), names(0));
  const all = em.tenants.flatMap((x) => x.fleet.map((d) => d.id));
  t.is(new Set(all).size, all.length, "no device id in two tenants");
  t.is(em.tenant(0).fleet, em.fleet);
  for (const tenant of em.tenants) {
    const token = await tokenFor(em, tenant.defaultApp);
    const byName = await send(em, "GET", `/api/machines/${NAME}`, { token });
    t.is(byName.status, 200);
    t.is(byName.json.id, tenantDeviceId(tenant.index, FLEET_ROLES.healthy[0]!.id));
    t.is(byName.json.computerDnsName, NAME);
    const filter = encodeURIComponent(`computerDnsName eq '${NAME}'`);
    const listed = await send(em, "GET", `/api/machines?$filter=${filter}`, { token });
    t.deepEqual(
      listed.json.value.map((d: { id: string }) => d.id),
      [byName.json.id],
      "the list holds this tenant's device only",
    );
  }
  const zero = await tokenFor(em);
  const foreign = await send(em, "GET", `/api/machines/${em.tenant(1).fleet[0]!.id}`, { token: zero });
  t.is(foreign.status, 404, "another tenant's device does not exist for this tenant");
  t.true(isApiError(foreign, "ResourceNotFound"));
});

test("machine actions belong to their tenant: another tenant's action is 404", async (t) => {
  const [zero, one, two] = await Promise.all(em.tenants.map((x) => tokenFor(em, x.defaultApp)));
  const deviceOne = tenantDeviceId(1, FLEET_ROLES.healthy[1]!.id);
  const collect = (id: string, token: string | undefined) =>
    send(em, "POST", `/api/machines/${id}/collectInvestigationPackage`, {
      token,
      json: { Comment: "IR-22" },
    });
  t.is((await collect(deviceOne, zero)).status, 404, "tenant 0 cannot collect from tenant 1's device");
  const created = await collect(deviceOne, one);
  t.is(created.status, 201);
  // The same computer name in tenant 0 is another device: no duplicate across tenants.
  const same = await collect(FLEET_ROLES.healthy[1]!.id, zero);
  t.is(same.status, 201);
  t.not(same.json.id, created.json.id);
  const path = `/api/machineactions/${created.json.id}`;
  t.is((await send(em, "GET", path, { token: one })).status, 200);
  const hidden = await send(em, "GET", path, { token: two });
  t.is(hidden.status, 404);
  t.true(isApiError(hidden, "ResourceNotFound"));
  t.is((await send(em, "POST", `${path}/cancel`, { token: zero, json: { Comment: "no" } })).status, 404);
  t.is((await send(em, "GET", `${path}/GetPackageUri`, { token: zero })).status, 404);
  const listed = (token: string | undefined) =>
    send(em, "GET", "/api/machineactions", { token }).then((a) =>
      a.json.value.map((x: { id: string }) => x.id),
    );
  t.true((await listed(one)).includes(created.json.id));
  t.false((await listed(zero)).includes(created.json.id));
  t.deepEqual(await listed(two), []);

  await waitForStatus(em, one as string, created.json.id, "Succeeded", 10_000);
  const link = await send(em, "GET", `${path}/GetPackageUri`, { token: one });
  t.is(link.status, 200);
  const download = await send(em, "GET", link.json.value);
  t.is(download.status, 200, "the link serves tenant 1's package");
  t.is(
    em.calls({ route: "download" }).at(-1)?.tenantId,
    em.tenant(1).tenantId,
    "the link's call is tenant 1's",
  );
  t.is(em.packageSize(created.json.id), Number(download.headers["content-length"]));
});

test("users are per tenant: each tenant's user signs in at its tenant and reads its fleet", async (t) => {
  const user = em.tenant(1).defaultUser;
  t.is(user.upn, tenantUserUpn(1));
  t.is(user.tenantId, em.tenant(1).tenantId);
  const grant = (tenantId: string) =>
    postToken(em, tenantId, {
      grant_type: "password",
      client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      username: user.upn,
      password: user.password,
      scope: SCOPE,
    });
  const answer = await grant(user.tenantId);
  t.is(answer.status, 200);
  t.is(jwtPayload(answer.json.access_token).tid, user.tenantId);
  const read = await send(em, "GET", `/api/machines/${NAME}`, { token: answer.json.access_token });
  t.is(read.json.id, tenantDeviceId(1, FLEET_ROLES.healthy[0]!.id));
  const wrongTenant = await grant(em.tenant(0).tenantId);
  t.is(wrongTenant.status, 400);
  t.regex(wrongTenant.json.error_description, /^AADSTS50034:/);

  const analyst = em.tenant(2).addUser({ upn: "analyst@tenant2.example.com", rbacGroupIds: [4402] });
  t.is(analyst.tenantId, em.tenant(2).tenantId);
  const minted = em.tenant(2).issueUserToken({ upn: analyst.upn });
  t.is(jwtPayload(minted).tid, em.tenant(2).tenantId);
  const visible = await send(em, "GET", "/api/machines", { token: minted });
  const ownIds = new Set(em.tenant(2).fleet.map((d) => d.id));
  t.true(visible.json.value.length > 0);
  t.true(
    visible.json.value.every(
      (d: { id: string; rbacGroupId: number }) => ownIds.has(d.id) && d.rbacGroupId === 4402,
    ),
  );
});

test("GitHub OIDC per tenant: one federated credential per tenant's app, the same job", async (t) => {
  const subject = "repo:contoso/ir-automation:environment:incident-response";
  const apps = [1, 2].map((i) =>
    em.tenant(i).addApp({ federated: { issuer: GITHUB_ACTIONS_ISSUER, subject } }),
  );
  const env = em.githubActionsEnv({ subject });
  const idToken = await send(
    em,
    "GET",
    `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`,
    {
      token: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    },
  );
  const exchange = (tenantId: string, clientId: string) =>
    postToken(em, tenantId, {
      grant_type: "client_credentials",
      client_id: clientId,
      scope: SCOPE,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: idToken.json.value,
    });
  for (const app of apps) {
    const answer = await exchange(app.tenantId, app.clientId);
    t.is(answer.status, 200);
    t.is(jwtPayload(answer.json.access_token).tid, app.tenantId);
  }
  const crossed = await exchange(apps[1]!.tenantId, apps[0]!.clientId);
  t.is(crossed.status, 400, "tenant 1's app is unknown in tenant 2");
  t.regex(crossed.json.error_description, /^AADSTS700016:/);
});

test("tags and late devices per tenant; the admin API lists tenants and each tenant's fleet", async (t) => {
  em.tenant(2).setMachineTags(NAME, ["tenant-two-only"]);
  const find = async (i: number) =>
    (
      await send(em, "GET", "/api/machines/findbytag?tag=tenant-two-only", {
        token: await tokenFor(em, em.tenant(i).defaultApp),
      })
    ).json.value.map((d: { id: string }) => d.id);
  t.deepEqual(await find(2), [tenantDeviceId(2, FLEET_ROLES.healthy[0]!.id)]);
  t.deepEqual(await find(0), []);
  const late = em
    .tenant(1)
    .onboardDevice({ computerDnsName: "late-01.contoso.com", osPlatform: "Windows11" });
  t.true(em.tenant(1).fleet.includes(late));
  t.false(em.fleet.some((d) => d.computerDnsName === "late-01.contoso.com"));
  t.throws(() => em.tenant(2).onboardDevice({ ...late }), { message: /already exists/ });

  const tenants = await send(em, "GET", "/_emulator/tenants");
  t.deepEqual(
    tenants.json.map((x: { tenantId: string }) => x.tenantId),
    em.tenants.map((x) => x.tenantId),
  );
  t.false(tenants.body.includes(em.tenant(1).defaultApp.clientSecret), "no secret in the listing");
  const fleet = await send(em, "GET", "/_emulator/fleet?tenant=2");
  t.is(fleet.json[0].id, em.tenant(2).fleet[0]!.id);
  t.is((await send(em, "GET", "/_emulator/fleet?tenant=9")).status, 404);
});

test("one tenant by default; an app of a tenant the emulator was not started with reads tenant 0's data", async (t) => {
  const single = await startEmulator();
  t.teardown(() => single.close());
  t.is(single.tenants.length, 1);
  t.is(single.tenant(0).fleet, single.fleet);
  t.throws(() => single.tenant(1), { instanceOf: RangeError });
  await t.throwsAsync(startEmulator({ tenants: 0 }), { instanceOf: RangeError });
  const outsider = single.addApp({ clientSecret: "outsider" });
  t.not(outsider.tenantId, single.defaultApp.tenantId);
  const read = await send(single, "GET", `/api/machines/${NAME}`, {
    token: await tokenFor(single, outsider),
  });
  t.is(read.json.id, FLEET_ROLES.healthy[0]!.id);
});
