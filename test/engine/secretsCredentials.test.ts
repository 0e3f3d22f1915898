/**
 * The other credential kinds keep their secrets too: a client certificate's private key and a
 * pre-obtained bearer token (`MDE_ACCESS_TOKEN`) never appear in state, output at log verbosity 9 or
 * any error message, also when the token endpoint or the API fails on purpose. (A static token in
 * stack config is scanned by the 401 tests of faultsAuth; at verbosity 9 the engine prints secret
 * config itself, see secrets.test.ts.)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { generateCertificate } from "pulumi-mde-emulator";
import { callsOf, createTestStack, emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, backendText, emulatorSecrets, errorText, JWT } from "../helpers/faults";

const TIME_SCALE = 120;
const LIFECYCLE = { pendingSeconds: 60, inProgressSeconds: 120 };

function program(machineId: string) {
  return async () => {
    const c = new InvestigationPackageCollection("ws-042", { machineId, comment: "IR-4711: secret scan" });
    return { actionId: c.actionId, status: c.status };
  };
}

test("certificate credential: the private key and the tokens stay out of state, verbose output and errors", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const certificate = generateCertificate();
  const app = em.addApp({ tenantId: em.defaultApp.tenantId, certificatePem: certificate.certPem });
  const pemFile = path.join(mkdtempSync(path.join(tmpdir(), "mde-cert-")), "client.pem");
  writeFileSync(pemFile, `${certificate.certPem}\n${certificate.keyPem}`, { mode: 0o600 });
  const config = emulatorConfig(em);
  delete config["mde:clientSecret"];
  const s = await createTestStack({
    program: program(machineId!),
    config: {
      ...config,
      "mde:clientId": { value: app.clientId },
      "mde:clientCertificatePath": { value: pemFile },
    },
  });
  t.teardown(() => s.dispose());

  // The token endpoint fails the first attempts (retried with the key loaded), and the API refuses
  // the refresh: the error paths run too.
  em.injectFault({ route: "token", kind: "status", status: 503, times: 2 });
  await s.up({ logVerbosity: 9 });
  em.injectFault({ route: "getAction", kind: "status", status: 403, times: 10 });
  const errors: string[] = [];
  await s.refresh({ logVerbosity: 9 }).catch((e: unknown) => errors.push(errorText(e)));
  t.is(errors.length, 1, "the provoked refresh failed");
  t.regex(errors[0] ?? "", /reading a machine action was forbidden \(403\)/);
  const state = await s.exportState();
  t.is(state.resources.length, 1, "the collection was created with the certificate");
  t.true(
    callsOf(em, "token").some((c) => c.status === 200 && c.clientId === app.clientId),
    "a token was issued to the certificate app",
  );

  const texts = {
    "backend state": backendText(s),
    "state export (secrets shown)": state.text,
    "engine output": s.output(),
    "error messages": errors.join("\n"),
  };
  assertNoSecrets(t, texts, { "private key": [certificate.keyPem], "bearer token": em.issuedTokens() });
  for (const [name, text] of Object.entries(texts))
    t.notRegex(text, JWT, `no JWT (token or assertion) in ${name}`);
});

test("pre-obtained token (MDE_ACCESS_TOKEN): zero hits at verbosity 9, also when the API rejects it", async (t) => {
  const em = await startTestEmulator({ timeScale: TIME_SCALE, lifecycle: LIFECYCLE });
  t.teardown(() => em.close());
  const [machineId] = healthyIds(em, 1);
  const token = em.issueToken({ lifetimeSeconds: 3600 * TIME_SCALE });
  const config = emulatorConfig(em);
  delete config["mde:clientSecret"];
  const s = await createTestStack({ program: program(machineId!), config, env: { MDE_ACCESS_TOKEN: token } });
  t.teardown(() => s.dispose());

  await s.up({ logVerbosity: 9 });
  em.injectFault({ route: "getAction", kind: "status", status: 401 });
  const errors: string[] = [];
  await s.refresh({ logVerbosity: 9 }).catch((e: unknown) => errors.push(errorText(e)));
  t.is(errors.length, 1, "the rejected token failed the refresh");
  t.regex(errors[0] ?? "", /a static token has not expired/);
  t.is(callsOf(em, "token").length, 0, "a static token needs no token request");

  const texts = {
    "backend state": backendText(s),
    "engine output": s.output(),
    "error messages": errors.join("\n"),
  };
  assertNoSecrets(t, texts, { "static token": [token], ...emulatorSecrets(em) });
  for (const [name, text] of Object.entries(texts)) t.notRegex(text, JWT, `no JWT in ${name}`);
});
