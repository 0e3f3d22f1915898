/**
 * The Pulumi package schema of the provider plugin `pulumi-resource-mde`, built from one source: the
 * TypeScript SDK's TSDoc (every resource's `Args` interface and outputs, getMachines' arguments and
 * result) and the README's settings table (the `mde:*` config keys, their defaults and secret flags).
 * `node dist/scripts/generateSchema.js` writes it to schema.json; a unit test fails when the committed
 * file differs from what this builds, or when a resource's checked inputs and the schema disagree.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { checkCollectionInputs } from "../../src/resources/collection/collectionInputs";
import { checkDownloadInputs } from "../../src/resources/download/downloadInputs";
import { checkIsolationInputs } from "../../src/resources/isolation/isolationInputs";
import { checkLiveResponseInputs } from "../../src/resources/liveResponse/liveResponseInputs";
import { type MemberModel, type ShapeOf, TsDocModel } from "./tsDocModel";

/** The pure input check of a resource (what its provider's `check` runs before the settings). */
export type InputCheck = (news: Record<string, unknown>) => { inputs: Record<string, unknown> };

/** A resource of the package: its schema token, where its TypeScript class lives, and its input check. */
export interface ResourceEntry {
  token: string;
  file: string;
  className: string;
  argsName: string;
  check: InputCheck;
  /**
   * The fewest valid inputs. A `@default` becomes a schema `default` only when `check` fills in that very
   * value for them: generated SDKs send schema defaults themselves, so a default that holds only beside
   * another input (`blobPrefix` with `blobContainerUrl`) is told in the description instead.
   */
  minimalInputs: Record<string, unknown>;
}

const DEVICE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";

/** Every resource the plugin serves, in the order of the README. */
export const SCHEMA_RESOURCES: readonly ResourceEntry[] = [
  {
    token: "mde:index:InvestigationPackageCollection",
    file: "investigationPackageCollection.ts",
    className: "InvestigationPackageCollection",
    argsName: "InvestigationPackageCollectionArgs",
    check: checkCollectionInputs,
    minimalInputs: { machineId: DEVICE, comment: "c" },
  },
  {
    token: "mde:index:InvestigationPackageDownload",
    file: "investigationPackageDownload.ts",
    className: "InvestigationPackageDownload",
    argsName: "InvestigationPackageDownloadArgs",
    check: checkDownloadInputs,
    minimalInputs: { actionId: "7c1e3b2a-4f5d-4e6a-9b8c-0d1e2f3a4b5c", directory: "/evidence" },
  },
  {
    token: "mde:index:DeviceIsolation",
    file: "deviceIsolation.ts",
    className: "DeviceIsolation",
    argsName: "DeviceIsolationArgs",
    check: checkIsolationInputs,
    minimalInputs: { machineId: DEVICE, comment: "c" },
  },
  {
    token: "mde:index:LiveResponseFileCollection",
    file: "liveResponseFileCollection.ts",
    className: "LiveResponseFileCollection",
    argsName: "LiveResponseFileCollectionArgs",
    check: checkLiveResponseInputs,
    minimalInputs: { machineId: DEVICE, comment: "c", paths: ["/var/log/auth.log"], directory: "/evidence" },
  },
];

/** The function of the package. */
export const GET_MACHINES_TOKEN = "mde:index:getMachines";

type Json = Record<string, unknown>;

/** TSDoc to schema text: links become code spans; TypeScript-only examples are left to the TSDoc. */
function cleanText(text: string): string {
  const cut = text.indexOf("## Example Usage");
  return (cut >= 0 ? text.slice(0, cut) : text)
    .replace(/\{@link\s+([^}\s]+)\s*\}/g, "`$1`")
    .replace(/\\`/g, "`")
    .trim();
}

/** The value of a `@default` tag when it is a plain JSON value (`60`, `false`, `"adopt"`, `4294967296 (4 GiB)`). */
function defaultValue(text: string | undefined, shape: ShapeOf): unknown {
  if (text === undefined || !["string", "number", "boolean"].includes(shape.kind)) return undefined;
  const token = /^("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false)/.exec(text)?.[1];
  if (token === undefined) return undefined;
  const value: unknown = JSON.parse(token);
  return typeof value === shape.kind ? value : undefined;
}

/** Collects object types into `types` as it maps shapes to schema type specs. */
class TypeSpecs {
  readonly types: Record<string, Json> = {};

  spec(shape: ShapeOf): Json {
    switch (shape.kind) {
      case "any":
        return { $ref: "pulumi.json#/Any" };
      case "map":
        return { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } };
      case "array":
        return { type: "array", items: this.spec(shape.items) };
      case "object": {
        const token = `mde:index:${shape.name}`;
        if (!this.types[token]) {
          this.types[token] = {}; // placeholder: a type that refers to itself stops here
          this.types[token] = { type: "object", ...this.properties(shape.members) };
        }
        return { $ref: `#/types/${token}` };
      }
      default:
        return { type: shape.kind };
    }
  }

  property(member: MemberModel, fallbackDescription?: string, filled?: Record<string, unknown>): Json {
    const description = cleanText(member.description);
    let usable = description && description !== "The inputs as stored." ? description : fallbackDescription;
    const value = defaultValue(member.defaultText, member.shape);
    // Without a check to ask (outputs, function arguments) a plain default stands as it is written.
    const unconditional = value !== undefined && (filled === undefined || filled[member.name] === value);
    if (member.defaultText !== undefined && !unconditional) {
      usable = `${usable ?? ""} Default: ${member.defaultText}.`.trim();
    }
    return {
      ...(usable ? { description: usable } : {}),
      ...this.spec(member.shape),
      ...(unconditional ? { default: value } : {}),
    };
  }

  /** `properties` and `required` of a member list; descriptions of same-named inputs fill empty ones. */
  properties(
    members: MemberModel[],
    inputs: Json = {},
    filled?: Record<string, unknown>,
  ): { properties: Json; required?: string[] } {
    const properties: Json = {};
    for (const member of members) {
      const input = inputs[member.name] as { description?: string } | undefined;
      properties[member.name] = this.property(member, input?.description, filled);
    }
    const required = members.filter((m) => !m.optional).map((m) => m.name);
    return required.length > 0 ? { properties, required } : { properties };
  }
}

/** One row of the README's settings table. */
interface SettingRow {
  key: string;
  secret: boolean;
  env: string;
  defaultText: string;
  meaning: string;
}

/** The README's `### Settings` table: every `mde:*` key, its environment fallback, default and meaning. */
export function readSettingsTable(readme: string): SettingRow[] {
  const start = readme.indexOf("### Settings");
  if (start < 0) throw new Error("README.md has no ### Settings section");
  const rows: SettingRow[] = [];
  for (const line of readme.slice(start).split("\n").slice(1)) {
    const cells = /^\|\s*`mde:(\w+)`(\s*\(secret\))?\s*\|([^|]*)\|([^|]*)\|(.*)\|\s*$/.exec(line);
    if (cells) {
      rows.push({
        key: cells[1]!,
        secret: !!cells[2],
        env: cells[3]!.trim().replace(/`/g, ""),
        defaultText: cells[4]!.trim().replace(/`/g, ""),
        meaning: cells[5]!.trim(),
      });
    } else if (rows.length > 0 && !line.startsWith("|")) break;
  }
  return rows;
}

/** Config keys that take a boolean or a number; the rest are strings, `profiles` any value. */
const BOOLEAN_KEYS = new Set(["useManagedIdentity", "useAzureCli", "useOidc"]);
const NUMBER_KEYS = new Set(["rateLimitPerMinute", "rateLimitPerHour", "timeScale"]);

function configVariables(rows: SettingRow[]): Json {
  const variables: Json = {};
  for (const row of rows) {
    const type = BOOLEAN_KEYS.has(row.key)
      ? { type: "boolean" }
      : NUMBER_KEYS.has(row.key)
        ? { type: "number" }
        : row.key === "profiles"
          ? { $ref: "pulumi.json#/Any" }
          : { type: "string" };
    const fallback = row.env ? ` Falls back to the environment variable \`${row.env}\`.` : "";
    const shape: ShapeOf = { kind: (type.type ?? "any") as "string" };
    const value = defaultValue(row.defaultText, shape);
    variables[row.key] = {
      description: `${row.meaning.replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")}.${fallback}`.replace(/\.\./g, "."),
      ...type,
      ...(value !== undefined ? { default: value } : {}),
      ...(row.secret ? { secret: true } : {}),
    };
  }
  return variables;
}

/** Options of {@link buildSchema}. */
export interface BuildSchemaOptions {
  /** The repository root (holds package.json, README.md and src/sdk). */
  root: string;
}

/** Builds the package schema (see the file comment). */
export function buildSchema(options: BuildSchemaOptions): Json {
  const { root } = options;
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
    description: string;
    license: string;
  };
  const model = new TsDocModel(path.join(root, "src", "sdk"));
  const specs = new TypeSpecs();
  const resources: Json = {};
  for (const entry of SCHEMA_RESOURCES) {
    const filled = entry.check(entry.minimalInputs).inputs;
    const inputs = specs.properties(model.interfaceMembers(entry.file, entry.argsName), {}, filled);
    const outputs = specs.properties(model.classOutputs(entry.file, entry.className), inputs.properties);
    resources[entry.token] = {
      description: cleanText(model.documentation(entry.file, entry.className)),
      inputProperties: inputs.properties,
      ...(inputs.required ? { requiredInputs: inputs.required } : {}),
      properties: outputs.properties,
      ...(outputs.required ? { required: outputs.required } : {}),
    };
  }
  const functionInputs = specs.properties(model.interfaceMembers("getMachines.ts", "GetMachinesArgs"));
  const functionOutputs = specs.properties(model.interfaceMembers("getMachines.ts", "GetMachinesResult"));
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  return {
    name: "mde",
    displayName: "Microsoft Defender for Endpoint",
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    keywords: ["pulumi", "mde", "defender", "forensics", "incident-response", "category/utility"],
    config: { variables: configVariables(readSettingsTable(readme)) },
    provider: { description: "The pulumi-mde provider: settings come from the stack's `mde:*` config." },
    types: specs.types,
    resources,
    functions: {
      [GET_MACHINES_TOKEN]: {
        description: cleanText(model.documentation("getMachines.ts", "getMachines")),
        inputs: { type: "object", ...functionInputs },
        outputs: { type: "object", ...functionOutputs },
      },
    },
    language: {
      python: {
        packageName: "pulumi_mde",
        respectSchemaVersion: true,
        pyproject: { enabled: true },
        requires: { pulumi: ">=3.165.0,<4.0.0" },
      },
    },
  };
}
