/**
 * Writes schema.json, the package schema of the provider plugin, from the TypeScript SDK's TSDoc and the
 * README's settings table (scripts/schema/buildSchema.ts). Run it after changing a resource's inputs,
 * outputs or their TSDoc, then regenerate the Python SDK:
 *
 *     node_modules/.bin/tsc -b && node dist/scripts/generateSchema.js
 *     PATH=$PWD/.engine/$(cat engine/VERSION)/bin:$PATH pulumi package gen-sdk schema.json --language python --out sdk
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildSchema } from "./schema/buildSchema";

const root = path.resolve(__dirname, "..", "..");
const target = path.join(root, "schema.json");
writeFileSync(target, `${JSON.stringify(buildSchema({ root }), null, 2)}\n`);
// In the repository's JSON style, so `npm run lint` passes on it (the schema test compares values).
const biome = spawnSync(path.join(root, "node_modules", ".bin", "biome"), ["format", "--write", target], {
  stdio: "inherit",
});
if (biome.status !== 0) process.exitCode = 1;
console.log(`wrote ${target}`);
