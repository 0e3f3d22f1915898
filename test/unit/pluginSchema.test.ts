/**
 * schema.json against the code: it is what scripts/schema/buildSchema.ts builds from the TypeScript SDK
 * today; every input a resource's provider checks and diffs is in the schema and nothing else is; the
 * plugin serves exactly the schema's resources; the Python SDK carries the package's version.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { buildSchema, SCHEMA_RESOURCES } from "../../scripts/schema/buildSchema";
import { RESOURCE_KINDS } from "../../src/plugin/mdeProvider";
import {
  BEHAVIOUR_INPUTS,
  INPUT_NAMES,
  REPLACING_INPUTS,
} from "../../src/resources/collection/collectionInputs";
import {
  BEHAVIOUR_DOWNLOAD_INPUTS,
  REPLACING_DOWNLOAD_INPUTS,
} from "../../src/resources/download/downloadInputs";
import {
  BEHAVIOUR_ISOLATION_INPUTS,
  REPLACING_ISOLATION_INPUTS,
} from "../../src/resources/isolation/isolationInputs";
import {
  BEHAVIOUR_LIVE_RESPONSE_INPUTS,
  REPLACING_LIVE_RESPONSE_INPUTS,
} from "../../src/resources/liveResponse/liveResponseInputs";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const committed = JSON.parse(readFileSync(path.join(ROOT, "schema.json"), "utf8")) as {
  version: string;
  resources: Record<string, { inputProperties: Record<string, unknown> }>;
};
/** Inputs the SDK classes (and the plugin, from the URN) add: never written by users. */
const INTERNAL = new Set(["pulumiStack", "resourceName"]);

/** Every input each resource's code checks and diffs, by schema token. */
const CODE_INPUTS: Record<string, readonly string[]> = {
  "mde:index:InvestigationPackageCollection": [...INPUT_NAMES, ...REPLACING_INPUTS, ...BEHAVIOUR_INPUTS],
  "mde:index:InvestigationPackageDownload": [...REPLACING_DOWNLOAD_INPUTS, ...BEHAVIOUR_DOWNLOAD_INPUTS],
  "mde:index:DeviceIsolation": [...REPLACING_ISOLATION_INPUTS, ...BEHAVIOUR_ISOLATION_INPUTS],
  "mde:index:LiveResponseFileCollection": [
    ...REPLACING_LIVE_RESPONSE_INPUTS,
    ...BEHAVIOUR_LIVE_RESPONSE_INPUTS,
  ],
};

const sorted = (names: Iterable<string>) => [...new Set(names)].filter((n) => !INTERNAL.has(n)).sort();

test("schema.json is what the TypeScript SDK's TSDoc builds (run scripts/generate-sdks.sh when this fails)", (t) => {
  t.deepEqual(buildSchema({ root: ROOT }), committed as unknown as Record<string, unknown>);
});

for (const entry of SCHEMA_RESOURCES) {
  test(`${entry.className}: the inputs its provider checks are the schema's inputs, no more, no fewer`, (t) => {
    const schemaInputs = sorted(Object.keys(committed.resources[entry.token]?.inputProperties ?? {}));
    t.deepEqual(schemaInputs, sorted(CODE_INPUTS[entry.token] ?? []));
    // What check returns for the fewest inputs (defaults filled in) is declared too.
    const checked = entry.check(entry.minimalInputs).inputs;
    t.deepEqual(
      sorted(Object.keys(checked)).filter((n) => !schemaInputs.includes(n)),
      [],
      "every input check fills in is in the schema",
    );
  });
}

test("the plugin serves exactly the schema's resources", (t) => {
  t.deepEqual(Object.keys(RESOURCE_KINDS).sort(), Object.keys(committed.resources).sort());
});

test("the Python SDK and the schema carry package.json's version", (t) => {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  t.is(committed.version, version);
  const plugin = JSON.parse(
    readFileSync(path.join(ROOT, "sdk", "python", "pulumi_mde", "pulumi-plugin.json"), "utf8"),
  ) as { name: string; version: string };
  t.deepEqual(plugin, { resource: true, name: "mde", version } as unknown as typeof plugin);
  t.regex(
    readFileSync(path.join(ROOT, "sdk", "python", "pyproject.toml"), "utf8"),
    new RegExp(`version = "${version}"`),
  );
});
