/**
 * Bad provider settings (`mde:*` stack config) are rejected at `pulumi preview`, before any
 * request: the error names the config key, what was expected and the fix, never echoes a secret,
 * and the emulator sees no call.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { createTestStack, emulatorConfig, healthyIds, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets, failureOf, serviceCalls } from "../helpers/faults";

interface SettingsCase {
  title: string;
  /** The stack config, from the emulator's working one. */
  config: (em: Emulator) => ConfigMap;
  /** The config key the failure is reported on. */
  key: string;
  /** What the message must say (cause and fix). */
  message: RegExp;
}

/** The working config without some keys. */
function without(em: Emulator, ...keys: string[]): ConfigMap {
  const config = emulatorConfig(em);
  for (const key of keys) delete config[key];
  return config;
}

const cases: SettingsCase[] = [
  {
    title: "an unknown cloud",
    config: (em) => emulatorConfig(em, { "mde:cloud": { value: "moon" } }),
    key: "mde:cloud",
    message:
      /Invalid mde:cloud: expected one of commercial, us, eu.*gcc-high, dod\. Got "moon"\. Use mde:apiEndpoint and mde:authorityHost/,
  },
  {
    title: "an API endpoint that is not a URL",
    config: (em) => emulatorConfig(em, { "mde:apiEndpoint": { value: "api.security.microsoft.com" } }),
    key: "mde:apiEndpoint",
    message: /Invalid mde:apiEndpoint: expected an absolute https:\/\/ URL.*Give the full URL/,
  },
  {
    title: "an http:// API endpoint on a non-loopback host",
    config: (em) =>
      emulatorConfig(em, { "mde:apiEndpoint": { value: "http://defender-proxy.corp.example:8080" } }),
    key: "mde:apiEndpoint",
    message:
      /Invalid mde:apiEndpoint: expected an https:\/\/ URL \(http:\/\/ only for loopback hosts\).*Use https:\/\//,
  },
  {
    title: "two credential kinds at once",
    config: (em) =>
      emulatorConfig(em, {
        "mde:accessToken": { value: em.issueToken({ lifetimeSeconds: 3600 }), secret: true },
      }),
    key: "mde:clientSecret",
    message:
      /mde:accessToken and mde:clientSecret are both set, but exactly one credential kind may be configured\. Remove all but one/,
  },
  {
    title: "a client secret without a tenant ID",
    config: (em) => without(em, "mde:tenantId"),
    key: "mde:tenantId",
    message: /Invalid mde:tenantId: expected the Entra ID tenant id.*Set mde:tenantId or AZURE_TENANT_ID/,
  },
  {
    title: "a client secret without a client ID",
    config: (em) => without(em, "mde:clientId"),
    key: "mde:clientId",
    message:
      /Invalid mde:clientId: expected the application \(client\) id.*Set mde:clientId or AZURE_CLIENT_ID/,
  },
  {
    title: "a certificate path that is a folder",
    config: (em) => ({
      ...without(em, "mde:clientSecret"),
      "mde:clientCertificatePath": { value: mkdtempSync(path.join(tmpdir(), "mde-cert-")) },
    }),
    key: "mde:clientCertificatePath",
    message: /Invalid mde:clientCertificatePath: expected a readable PEM file.*This path is not a file/,
  },
  {
    title: "a certificate file without its private key",
    config: (em) => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "mde-cert-")), "cert.pem");
      writeFileSync(file, em.caPem);
      return { ...without(em, "mde:clientSecret"), "mde:clientCertificatePath": { value: file } };
    },
    key: "mde:clientCertificatePath",
    message:
      /Invalid mde:clientCertificatePath: .*The file lacks a private key: concatenate the certificate and key/,
  },
  {
    title: "a federated token file that does not exist",
    config: (em) => ({
      ...without(em, "mde:clientSecret"),
      "mde:federatedTokenFile": { value: "/var/run/secrets/azure/tokens/missing-token" },
    }),
    key: "mde:federatedTokenFile",
    message:
      /Invalid mde:federatedTokenFile: expected a readable federated token file.*cannot be read \(ENOENT\)/,
  },
];

for (const c of cases) {
  test(`preview rejects ${c.title}, naming ${c.key}, and nothing is sent`, async (t) => {
    const em = await startTestEmulator();
    t.teardown(() => em.close());
    const [machineId] = healthyIds(em, 1);
    const config = c.config(em);
    const s = await createTestStack({
      config,
      program: async () => {
        new InvestigationPackageCollection("ws-042", { machineId: machineId!, comment: "IR-4711" });
      },
    });
    t.teardown(() => s.dispose());

    const failure = await failureOf(t, s.preview());
    t.regex(failure, new RegExp(`property ${c.key} value .* has a problem: `), "the key is named");
    t.regex(failure, c.message, "cause and fix");
    t.regex(s.output(), c.message, "also in the engine's output");
    t.deepEqual(serviceCalls(em), [], "no token request, no API call");
    const configSecrets = Object.values(config)
      .filter((v) => v.secret)
      .map((v) => v.value);
    assertNoSecrets(
      t,
      { error: failure, output: s.output() },
      emulatorSecrets(em, { "secret config": configSecrets }),
    );
  });
}
