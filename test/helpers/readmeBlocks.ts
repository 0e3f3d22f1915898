/**
 * The fenced code blocks of the repository's READMEs, for tests that compile and run them: what a
 * reader copies is what the tests check.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "pulumi-mde-harness";

/**
 * Put on the line right before a fence to leave a block out of compilation: for a block that is
 * deliberately not a whole program. Use it rarely: most fragments can be whole programs.
 */
export const COMPILE_SKIP_MARKER = "<!-- compile: skip -->";

/** One fenced block. */
export interface CodeBlock {
  /** README path relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string, lower-cased (`ts`, `typescript`, `json`, `sh`, ...). */
  lang: string;
  code: string;
  /** Preceded by {@link COMPILE_SKIP_MARKER}. */
  skip: boolean;
}

/** Every fenced block of `markdown` (fences of three or more backticks or tildes). */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  let open: { fence: string; line: number; lang: string; skip: boolean; body: string[] } | undefined;
  let previous = "";
  lines.forEach((text, index) => {
    if (open) {
      if (text.trim().startsWith(open.fence) && text.trim().replace(/[`~]/g, "") === "") {
        blocks.push({
          file,
          line: open.line,
          lang: open.lang,
          code: `${open.body.join("\n")}\n`,
          skip: open.skip,
        });
        open = undefined;
      } else open.body.push(text);
      return;
    }
    const fence = /^\s*(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
    if (fence) {
      open = {
        fence: fence[1] ?? "```",
        line: index + 1,
        lang: (fence[2] ?? "").toLowerCase(),
        skip: previous.trim() === COMPILE_SKIP_MARKER,
        body: [],
      };
    }
    if (text.trim() !== "") previous = text;
  });
  if (open) throw new Error(`${file}:${open.line}: a code fence is never closed`);
  return blocks;
}

/** README.md, every examples/<name>/README.md and packages/emulator/README.md, relative to the root. */
export function readmeFiles(): string[] {
  const examples = readdirSync(path.join(REPO_ROOT, "examples"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(REPO_ROOT, "examples", e.name, "README.md")))
    .map((e) => `examples/${e.name}/README.md`)
    .sort();
  return ["README.md", ...examples, "packages/emulator/README.md"];
}

/** The TypeScript blocks (`ts`, `typescript`) of every README in {@link readmeFiles}. */
export function typescriptBlocks(): CodeBlock[] {
  return readmeFiles().flatMap((file) =>
    codeBlocks(readFileSync(path.join(REPO_ROOT, file), "utf8"), file).filter(
      (b) => b.lang === "ts" || b.lang === "typescript",
    ),
  );
}

/**
 * The `tsconfig.json` README.md recommends: its one `json` block with `compilerOptions`.
 * @throws Error when there is none or more than one
 */
export function recommendedTsconfig(): string {
  const found = codeBlocks(readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"), "README.md").filter(
    (b) => (b.lang === "json" || b.lang === "jsonc") && b.code.includes('"compilerOptions"'),
  );
  if (found.length !== 1) throw new Error(`README.md shows ${found.length} tsconfig.json blocks, expected 1`);
  return found[0]?.code ?? "";
}
