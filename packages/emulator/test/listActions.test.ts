import test from "ava";
import { type Emulator, startEmulator } from "../src";
import { isApiError, send, tokenFor } from "./support";

const TYPE = "CollectInvestigationPackage";

let em: Emulator;
let token: string;
/** Ids of every action, oldest first. */
const ids: string[] = [];
let startedAt: string;

/** Collects `count` times (each collection finishes at once), a few calls in flight at a time. */
async function collect(count: number): Promise<void> {
  const device = em.fleet[0]!.id;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const answer = await send(em, "POST", `/api/machines/${device}/collectInvestigationPackage`, {
        token,
        json: { Comment: `paging ${next}` },
      });
      if (answer.status !== 201) throw new Error(`collect failed: ${answer.body}`);
      ids.push(answer.json.id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

test.before(async () => {
  em = await startEmulator({
    timeScale: 1000,
    lifecycle: { pendingSeconds: 0, inProgressSeconds: 0 },
    tokenLifetimeSeconds: 86_400 * 30,
    rateLimits: false,
  });
  token = await tokenFor(em);
  startedAt = new Date(Date.now() - 1000).toISOString();
  await collect(2500);
});
test.after.always(() => em?.close());

async function list(query: Record<string, string>) {
  const answer = await send(em, "GET", `/api/machineactions?${new URLSearchParams(query).toString()}`, {
    token,
  });
  return { ...answer, ids: ((answer.json?.value ?? []) as { id: string }[]).map((a) => a.id) };
}

const orChain = (chosen: string[]) => chosen.map((id) => `id eq '${id}'`).join(" or ");

test("a 50-id or-chain returns exactly those 50 actions", async (t) => {
  const chosen = ids.filter((_, i) => i % 50 === 7);
  t.is(chosen.length, 50);
  const answer = await list({ $filter: orChain(chosen) });
  t.is(answer.status, 200);
  t.deepEqual([...answer.ids].sort(), [...chosen].sort());
});

test("and/or with parentheses, type and creationDateTimeUtc ge (bare and quoted)", async (t) => {
  const [a, b] = [ids[3]!, ids[1500]!];
  const grouped = await list({
    $filter: `(id eq '${a}' or id eq '${b}') and type eq '${TYPE}' and creationDateTimeUtc ge ${startedAt}`,
  });
  t.deepEqual([...grouped.ids].sort(), [a, b].sort());
  const quoted = await list({
    $filter: `type eq '${TYPE}' and creationDateTimeUtc ge '${startedAt}' and (id eq '${a}' or (id eq '${b}' and status eq 'Succeeded'))`,
  });
  t.deepEqual([...quoted.ids].sort(), [a, b].sort());
  const future = await list({
    $filter: `creationDateTimeUtc ge ${new Date(Date.now() + 86_400_000).toISOString()} and type eq '${TYPE}'`,
  });
  t.deepEqual(future.ids, []);
  const byMachine = await list({
    $filter: `machineId eq '${em.fleet[0]!.id}' and requestor eq '${em.defaultApp.clientId}'`,
    $top: "3",
  });
  t.is(byMachine.ids.length, 3);
});

test("quotes inside string literals are escaped as ''", async (t) => {
  const escaped = await list({ $filter: `requestor eq 'O''Brien' or id eq '${ids[0]}'` });
  t.is(escaped.status, 200);
  t.deepEqual(escaped.ids, [ids[0]]);
  const unescaped = await list({ $filter: "requestor eq 'O'Brien'" });
  t.is(unescaped.status, 400);
  t.true(isApiError(unescaped, "ODataError"));
});

test("2500 actions read in pages of 1000 with $top and $skip: every action once, in a stable order", async (t) => {
  const pages: string[][] = [];
  for (let skip = 0; ; skip += 1000) {
    const page = await list({ $filter: `type eq '${TYPE}'`, $top: "1000", $skip: String(skip) });
    t.is(page.status, 200);
    pages.push(page.ids);
    if (page.ids.length < 1000) break;
  }
  t.deepEqual(
    pages.map((p) => p.length),
    [1000, 1000, 500],
  );
  const all = pages.flat();
  t.is(new Set(all).size, 2500);
  t.deepEqual([...all].sort(), [...ids].sort());
  const once = await list({ $top: "10000" });
  t.deepEqual(once.ids, all, "pages follow the order of a single read");
  t.true(isApiError(await list({ $top: "10001" }), "ODataError"));
  t.deepEqual((await list({ $skip: "2500" })).ids, []);
});

test("a URL longer than maxUrlBytes (16 KiB) gets HTTP.sys's 414; just under it is served", async (t) => {
  const long = `/api/machineactions?$filter=${encodeURIComponent(orChain(ids.slice(0, 400)))}`;
  t.true(long.length > 16_384);
  const refused = await send(em, "GET", long, { token });
  t.is(refused.status, 414);
  t.regex(refused.headers["content-type"] ?? "", /^text\/html/);
  t.regex(refused.body, /HTTP Error 414\. The request URL is too long\./);
  t.true(em.calls({ route: "listActions" }).some((c) => c.status === 414 && c.errorCode === "UrlTooLong"));
  const chain = ids.slice(0, 250);
  const fits = `/api/machineactions?$filter=${encodeURIComponent(orChain(chain))}`;
  t.true(fits.length > 12_000 && fits.length <= 16_384, String(fits.length));
  const served = await send(em, "GET", fits, { token });
  t.is(served.status, 200);
  t.is(served.json.value.length, 250);
});

test("maxUrlBytes is an option", async (t) => {
  const local = await startEmulator({ maxUrlBytes: 100 });
  t.teardown(() => local.close());
  t.is((await send(local, "GET", `/_emulator/health?${"x".repeat(100)}`)).status, 414);
  t.is((await send(local, "GET", "/_emulator/health")).status, 200);
});
