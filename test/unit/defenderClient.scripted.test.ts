/**
 * Paths of the collect policy that the emulator cannot produce on demand, against a scripted server:
 * a look-up that lags behind the POST, a look-up that fails, unusual field spellings.
 */
import test from "ava";
import { DefenderClient } from "../../src/client/defenderClient";
import { DefenderError } from "../../src/core/errors";
import { resolveSettings } from "../../src/settings/resolveSettings";
import { json, type Received, startScriptedServer } from "./helpers/scriptedServer";

const MACHINE = "f".repeat(40);
const closers: (() => Promise<void>)[] = [];
test.after.always(async () => {
  await Promise.all(closers.map((c) => c()));
});

function action(overrides: Record<string, unknown> = {}) {
  return {
    id: "0b5e8a8e-1111-4b5a-9a42-000000000001",
    type: "CollectInvestigationPackage",
    status: "Pending",
    machineId: MACHINE,
    requestor: "app",
    requestorComment: "IR-1",
    creationDateTimeUtc: new Date().toISOString(),
    ...overrides,
  };
}

async function clientFor(
  route: (req: Received, send: (status: number, body: unknown) => void, drop: () => void) => void,
) {
  const server = await startScriptedServer((req, res) =>
    route(
      req,
      (status, body) => json(res, status, body),
      () => res.socket?.destroy(),
    ),
  );
  closers.push(server.close);
  const settings = resolveSettings(
    {
      "mde:accessToken": "static-token-scripted",
      "mde:apiEndpoint": server.url,
      "mde:caCertPath": server.tls.certPath,
      "mde:timeScale": "1000",
    },
    {},
  );
  return { server, client: new DefenderClient(settings) };
}

const isPost = (r: Received) => r.method === "POST";
const posts = (rs: Received[]) => rs.filter(isPost).length;

test("a look-up that lags behind a dropped POST: the conflict on re-post is recognised as ours", async (t) => {
  let created = false;
  const { server, client } = await clientFor((req, send, drop) => {
    if (isPost(req)) {
      if (!created) {
        created = true;
        drop(); // committed, answer lost
      } else {
        send(400, {
          error: {
            code: "ActiveRequestAlreadyExists",
            message: "Action is already in progress",
            target: "c",
          },
        });
      }
      return;
    }
    const filter = new URL(req.url, "https://x").searchParams.get("$filter") ?? "";
    // The first look-up does not see the new action yet; the status query after the conflict does.
    if (filter.includes("creationDateTimeUtc")) send(200, { value: [] });
    else send(200, { value: filter.includes("'Pending'") ? [action({ requestorComment: "IR-1" })] : [] });
  });
  const result = await client.collectInvestigationPackage(MACHINE, "IR-1");
  t.true(result.recovered);
  t.false(result.adopted);
  t.is(posts(server.received), 2);
});

test("a conflict with someone else's collection carries it and does not claim it", async (t) => {
  const theirs = action({
    id: "their-action",
    requestorComment: "someone else",
    requestor: "analyst@contoso.com",
  });
  const { client } = await clientFor((req, send) => {
    if (isPost(req))
      send(400, { error: { code: "ActiveRequestAlreadyExists", message: "busy", target: "c" } });
    else
      send(200, {
        value: new URL(req.url, "https://x").searchParams.get("$filter")?.includes("'Pending'")
          ? [theirs]
          : [],
      });
  });
  const error = await t.throwsAsync(client.collectInvestigationPackage(MACHINE, "IR-1"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_ACTIVE_REQUEST_EXISTS");
  t.is(error?.action?.id, "their-action");
  t.regex(error?.message ?? "", /analyst@contoso\.com/);
});

test("when the look-up after a doubtful outcome fails, the outcome is reported unknown", async (t) => {
  const { server, client } = await clientFor((req, send) => {
    if (isPost(req)) send(500, { error: { code: "InternalServerError", message: "x", target: "c" } });
    else send(403, { error: { code: "Forbidden", message: "no read permission", target: "c" } });
  });
  const error = await t.throwsAsync(client.collectInvestigationPackage(MACHINE, "IR-1"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_OUTCOME_UNKNOWN");
  t.regex(
    error?.message ?? "",
    /Run `pulumi up` again: before posting, it looks for this collection by the marker/,
  );
  t.is(posts(server.received), 1);
});

test("doubtful outcomes are bounded: after the last attempt and a final look-up, the error surfaces", async (t) => {
  const { server, client } = await clientFor((req, send) => {
    if (isPost(req)) send(500, { error: { code: "InternalServerError", message: "x", target: "c" } });
    else send(200, { value: [] });
  });
  const error = await t.throwsAsync(client.collectInvestigationPackage(MACHINE, "IR-1"), {
    instanceOf: DefenderError,
  });
  t.is(error?.code, "MDE_SERVER_ERROR");
  t.is(posts(server.received), 6);
});

test("MachineAction: lastUpdateTimeUtc is read as lastUpdateDateTimeUtc; unknown fields are kept", async (t) => {
  const { client } = await clientFor((_req, send) =>
    send(200, action({ lastUpdateTimeUtc: "2026-01-01T00:00:00Z", futureField: { a: 1 } })),
  );
  const read = await client.getMachineAction("x");
  t.is(read?.lastUpdateDateTimeUtc, "2026-01-01T00:00:00Z");
  t.deepEqual(read?.futureField, { a: 1 });
});

test("an aborted signal stops a waiting call with MDE_ABORTED", async (t) => {
  const { client } = await clientFor(() => {
    // never answers
  });
  const controller = new AbortController();
  const pending = client.getMachineAction("x", { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const error = await t.throwsAsync(pending, { instanceOf: DefenderError });
  t.is(error?.code, "MDE_ABORTED");
});
