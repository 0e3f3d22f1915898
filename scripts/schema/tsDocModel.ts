/**
 * Reads the TypeScript SDK (src/sdk) with the TypeScript compiler: each resource class, its `Args`
 * interface and `declare readonly` outputs, and each function's arguments and result, with their TSDoc
 * text and `@default` tags. The schema of the provider plugin is built from this model
 * (buildSchema.ts), so the TSDoc that TypeScript users read is the one source of every description.
 */
import path from "node:path";
import ts from "typescript";

/** The shape of a value, as far as a Pulumi schema distinguishes it. */
export type ShapeOf =
  | { kind: "string" | "number" | "boolean" | "any" }
  | { kind: "array"; items: ShapeOf }
  | { kind: "map" }
  | { kind: "object"; name: string; members: MemberModel[] };

/** A property of an Args interface, a resource class or an object type. */
export interface MemberModel {
  name: string;
  /** TSDoc text, without tags. */
  description: string;
  /** The `@default` tag's text, when there is one. */
  defaultText?: string;
  /** Declared with `?`, or its type admits `undefined`. */
  optional: boolean;
  shape: ShapeOf;
}

/** The TSDoc text of a declaration (tags removed) and its `@default` tag. */
function docOf(checker: ts.TypeChecker, symbol: ts.Symbol): { description: string; defaultText?: string } {
  const description = ts.displayPartsToString(symbol.getDocumentationComment(checker));
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === "default");
  const defaultText = tag?.text ? ts.displayPartsToString(tag.text).trim() : undefined;
  return defaultText === undefined ? { description } : { description, defaultText };
}

/** `pulumi.Input<T>` and `pulumi.Output<T>` stand for T in a schema. */
function unwrapPulumi(node: ts.TypeNode): ts.TypeNode {
  if (ts.isTypeReferenceNode(node) && node.typeArguments?.length === 1) {
    const name = node.typeName.getText();
    if (name === "pulumi.Input" || name === "pulumi.Output") return unwrapPulumi(node.typeArguments[0]!);
  }
  if (ts.isParenthesizedTypeNode(node)) return unwrapPulumi(node.type);
  return node;
}

const isNullish = (node: ts.TypeNode): boolean =>
  node.kind === ts.SyntaxKind.UndefinedKeyword ||
  (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword);

/** Reads the TypeScript SDK's declarations. */
export class TsDocModel {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;

  /** @param sdkDir The folder of the TypeScript SDK's sources (src/sdk). */
  constructor(private readonly sdkDir: string) {
    this.program = ts.createProgram([path.join(sdkDir, "index.ts")], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    });
    this.checker = this.program.getTypeChecker();
  }

  private sourceFile(fileName: string): ts.SourceFile {
    const file = this.program.getSourceFile(path.join(this.sdkDir, fileName));
    if (!file) throw new Error(`src/sdk/${fileName} not found`);
    return file;
  }

  private declaration<T extends ts.Node>(fileName: string, name: string, guard: (n: ts.Node) => n is T): T {
    const found = this.sourceFile(fileName).statements.find(
      (s) => guard(s) && (s as unknown as { name?: ts.Identifier }).name?.text === name,
    );
    if (!found) throw new Error(`${name} not found in src/sdk/${fileName}`);
    return found as unknown as T;
  }

  /** The shape of a type as written in the SDK; named interfaces become object types. */
  private shapeOf(node: ts.TypeNode, context: string): { shape: ShapeOf; nullable: boolean } {
    const inner = unwrapPulumi(node);
    if (ts.isUnionTypeNode(inner)) {
      const parts = inner.types.filter((t) => !isNullish(t));
      const nullable = parts.length < inner.types.length;
      // A union of string literals is a string (its values are in the description).
      if (parts.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)))
        return { shape: { kind: "string" }, nullable };
      if (parts.length === 1) return { shape: this.shapeOf(parts[0]!, context).shape, nullable };
      return { shape: { kind: "any" }, nullable };
    }
    if (ts.isArrayTypeNode(inner))
      return {
        shape: { kind: "array", items: this.shapeOf(inner.elementType, context).shape },
        nullable: false,
      };
    if (ts.isLiteralTypeNode(inner) && ts.isStringLiteral(inner.literal))
      return { shape: { kind: "string" }, nullable: false };
    switch (inner.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { shape: { kind: "string" }, nullable: false };
      case ts.SyntaxKind.NumberKeyword:
        return { shape: { kind: "number" }, nullable: false };
      case ts.SyntaxKind.BooleanKeyword:
        return { shape: { kind: "boolean" }, nullable: false };
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.AnyKeyword:
        return { shape: { kind: "any" }, nullable: false };
    }
    if (ts.isTypeLiteralNode(inner)) {
      return {
        shape: { kind: "object", name: context, members: this.membersOf(inner.members, context) },
        nullable: false,
      };
    }
    if (ts.isTypeReferenceNode(inner)) {
      const name = inner.typeName.getText();
      if (name === "Record") return { shape: { kind: "map" }, nullable: false };
      let symbol = this.checker.getSymbolAtLocation(inner.typeName);
      // An imported name stands for the declaration it imports.
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
      const declared = symbol?.declarations?.[0];
      if (declared && ts.isInterfaceDeclaration(declared)) {
        return {
          shape: { kind: "object", name, members: this.membersOf(declared.members, name) },
          nullable: false,
        };
      }
      // `type LiveResponseFile = CollectedFile`: the SDK's name, the aliased type's members.
      if (declared && ts.isTypeAliasDeclaration(declared)) {
        const aliased = this.shapeOf(declared.type, name);
        return aliased.shape.kind === "object"
          ? { shape: { ...aliased.shape, name }, nullable: aliased.nullable }
          : aliased;
      }
    }
    throw new Error(`${context}: no schema type for \`${inner.getText()}\``);
  }

  private membersOf(members: ts.NodeArray<ts.TypeElement | ts.ClassElement>, owner: string): MemberModel[] {
    const out: MemberModel[] = [];
    for (const member of members) {
      if (!(ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) || !member.type) continue;
      const symbol = this.checker.getSymbolAtLocation(member.name);
      if (!symbol) continue;
      const name = member.name.getText();
      const context = `${owner}${name[0]!.toUpperCase()}${name.slice(1)}`;
      const { shape, nullable } = this.shapeOf(member.type, context);
      out.push({ name, ...docOf(this.checker, symbol), optional: !!member.questionToken || nullable, shape });
    }
    return out;
  }

  /** The members of an exported interface of `fileName`. */
  interfaceMembers(fileName: string, name: string): MemberModel[] {
    return this.membersOf(this.declaration(fileName, name, ts.isInterfaceDeclaration).members, name);
  }

  /** The `declare readonly` outputs of a resource class. */
  classOutputs(fileName: string, name: string): MemberModel[] {
    const cls = this.declaration(fileName, name, ts.isClassDeclaration);
    const declared = cls.members.filter(
      (m) => ts.isPropertyDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword),
    );
    return this.membersOf(ts.factory.createNodeArray(declared), name);
  }

  /** The TSDoc text of an exported class or function. */
  documentation(fileName: string, name: string): string {
    const node = this.sourceFile(fileName).statements.find(
      (s) => (ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) && s.name?.text === name,
    ) as ts.ClassDeclaration | ts.FunctionDeclaration | undefined;
    const symbol = node?.name ? this.checker.getSymbolAtLocation(node.name) : undefined;
    if (!symbol) throw new Error(`${name} not found in src/sdk/${fileName}`);
    return ts.displayPartsToString(symbol.getDocumentationComment(this.checker));
  }
}
