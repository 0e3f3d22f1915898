/**
 * A small OData `$filter` parser and evaluator: comparisons (`eq ne gt ge lt le`), `and`, `or`,
 * `not`, parentheses, string literals with `''` escaping, numbers, booleans, `null`, date-time
 * literals, and lambdas over collections (`machineTags/any(tag: tag eq 'X')`).
 * String equality ignores case, as the service's store does.
 */

type Literal = string | number | boolean | null | Date;

type Operand =
  | { kind: "property"; name: string }
  | { kind: "variable"; name: string }
  | { kind: "literal"; value: Literal };

/** Parsed filter expression. */
export type FilterNode =
  | { kind: "compare"; op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; left: Operand; right: Operand }
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "lambda"; collection: string; quantifier: "any" | "all"; variable: string; body: FilterNode };

/** Thrown for a filter that cannot be parsed or names a property that cannot be filtered. */
export class ODataFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ODataFilterError";
  }
}

type Token =
  | { type: "string"; value: string }
  | { type: "number"; value: number }
  | { type: "date"; value: Date }
  | { type: "word"; value: string }
  | { type: "punct"; value: "(" | ")" | "/" | ":" | "," };

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new ODataFilterError("Unterminated string literal in $filter");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ type: "string", value });
    } else if ("()/:,".includes(ch)) {
      tokens.push({ type: "punct", value: ch as "(" | ")" | "/" | ":" | "," });
      i++;
    } else {
      const rest = text.slice(i);
      const date = DATE_PATTERN.exec(rest);
      if (date) {
        const parsed = new Date(date[0]);
        if (Number.isNaN(parsed.getTime()))
          throw new ODataFilterError(`Invalid date-time literal '${date[0]}'`);
        tokens.push({ type: "date", value: parsed });
        i += date[0].length;
        continue;
      }
      const number = /^-?\d+(?:\.\d+)?/.exec(rest);
      if (number) {
        tokens.push({ type: "number", value: Number(number[0]) });
        i += number[0].length;
        continue;
      }
      const word = /^[A-Za-z_$][\w.$]*/.exec(rest);
      if (!word) throw new ODataFilterError(`Syntax error at position ${i} in $filter`);
      tokens.push({ type: "word", value: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

const COMPARISONS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);

class Parser {
  private position = 0;
  private readonly variables: string[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly properties: ReadonlyMap<string, string>,
    private readonly entity: string,
  ) {}

  parse(): FilterNode {
    const node = this.or();
    if (this.position < this.tokens.length)
      throw new ODataFilterError("Syntax error: unexpected text after expression");
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token?.type === "word" && token.value.toLowerCase() === value;
  }

  private expectPunct(value: string): void {
    const token = this.tokens[this.position++];
    if (token?.type !== "punct" || token.value !== value)
      throw new ODataFilterError(`Syntax error: expected '${value}'`);
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord("or")) {
      this.position++;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord("and")) {
      this.position++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (this.isWord("not")) {
      this.position++;
      return { kind: "not", operand: this.unary() };
    }
    const token = this.peek();
    if (token?.type === "punct" && token.value === "(") {
      this.position++;
      const inner = this.or();
      this.expectPunct(")");
      return inner;
    }
    return this.comparisonOrLambda();
  }

  private comparisonOrLambda(): FilterNode {
    const token = this.peek();
    const next = this.tokens[this.position + 1];
    if (token?.type === "word" && next?.type === "punct" && next.value === "/") {
      const collection = this.propertyName(token.value);
      this.position += 2;
      const quantifier = this.tokens[this.position++];
      if (quantifier?.type !== "word" || !["any", "all"].includes(quantifier.value.toLowerCase())) {
        throw new ODataFilterError("Syntax error: expected any or all after '/'");
      }
      this.expectPunct("(");
      const variable = this.tokens[this.position++];
      if (variable?.type !== "word") throw new ODataFilterError("Syntax error: expected a lambda variable");
      this.expectPunct(":");
      this.variables.push(variable.value);
      const body = this.or();
      this.variables.pop();
      this.expectPunct(")");
      return {
        kind: "lambda",
        collection,
        quantifier: quantifier.value.toLowerCase() as "any" | "all",
        variable: variable.value,
        body,
      };
    }
    const left = this.operand();
    const op = this.tokens[this.position++];
    if (op?.type !== "word" || !COMPARISONS.has(op.value.toLowerCase())) {
      throw new ODataFilterError("Syntax error: expected a comparison operator (eq, ne, gt, ge, lt, le)");
    }
    const right = this.operand();
    return { kind: "compare", op: op.value.toLowerCase() as "eq", left, right };
  }

  private operand(): Operand {
    const token = this.tokens[this.position++];
    if (!token) throw new ODataFilterError("Syntax error: expression ends too early");
    switch (token.type) {
      case "string":
      case "number":
      case "date":
        return { kind: "literal", value: token.value };
      case "word": {
        const lower = token.value.toLowerCase();
        if (lower === "true" || lower === "false") return { kind: "literal", value: lower === "true" };
        if (lower === "null") return { kind: "literal", value: null };
        if (this.variables.includes(token.value)) return { kind: "variable", name: token.value };
        const after = this.peek();
        if (after?.type === "punct" && after.value === "(") {
          throw new ODataFilterError(`Function '${token.value}' is not supported in $filter`);
        }
        return { kind: "property", name: this.propertyName(token.value) };
      }
      default:
        throw new ODataFilterError(`Syntax error: unexpected '${token.value}'`);
    }
  }

  private propertyName(name: string): string {
    const canonical = this.properties.get(name.toLowerCase());
    if (!canonical) {
      throw new ODataFilterError(
        `Could not find a filterable property named '${name}' on type '${this.entity}'.`,
      );
    }
    return canonical;
  }
}

/**
 * Parses a `$filter` value.
 * @param filterable - property names that may be filtered on (matched case-insensitively)
 * @param entity - type name for error messages
 * @throws ODataFilterError
 */
export function parseFilter(text: string, filterable: readonly string[], entity: string): FilterNode {
  const properties = new Map(filterable.map((name) => [name.toLowerCase(), name]));
  return new Parser(tokenize(text), properties, entity).parse();
}

/** Whether `record` satisfies the filter. */
export function matchesFilter(node: FilterNode, record: Record<string, unknown>): boolean {
  return evaluate(node, record, new Map());
}

function evaluate(node: FilterNode, record: Record<string, unknown>, scope: Map<string, unknown>): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, record, scope) && evaluate(node.right, record, scope);
    case "or":
      return evaluate(node.left, record, scope) || evaluate(node.right, record, scope);
    case "not":
      return !evaluate(node.operand, record, scope);
    case "lambda": {
      const items = record[node.collection];
      const list = Array.isArray(items) ? items : [];
      const test = (item: unknown) => evaluate(node.body, record, new Map(scope).set(node.variable, item));
      return node.quantifier === "any" ? list.some(test) : list.every(test);
    }
    case "compare":
      return compare(node.op, resolve(node.left, record, scope), resolve(node.right, record, scope));
  }
}

function resolve(operand: Operand, record: Record<string, unknown>, scope: Map<string, unknown>): unknown {
  if (operand.kind === "literal") return operand.value;
  if (operand.kind === "variable") return scope.get(operand.name);
  return record[operand.name];
}

function compare(op: string, left: unknown, right: unknown): boolean {
  const order = ordering(left, right);
  if (order === undefined) return op === "ne";
  switch (op) {
    case "eq":
      return order === 0;
    case "ne":
      return order !== 0;
    case "gt":
      return order > 0;
    case "ge":
      return order >= 0;
    case "lt":
      return order < 0;
    default:
      return order <= 0;
  }
}

/** Orders two values; `undefined` when they cannot be compared (then only `ne` holds). */
function ordering(left: unknown, right: unknown): number | undefined {
  if (left === null || left === undefined || right === null || right === undefined) {
    return (left ?? null) === (right ?? null) ? 0 : undefined;
  }
  if (left instanceof Date || right instanceof Date) {
    const a = toTime(left);
    const b = toTime(right);
    return a === undefined || b === undefined ? undefined : Math.sign(a - b);
  }
  if (typeof left === "number" && typeof right === "number") return Math.sign(left - right);
  if (
    typeof left === "string" &&
    typeof right === "string" &&
    ISO_INSTANT.test(left) &&
    ISO_INSTANT.test(right)
  ) {
    // Quoted date-times compare as instants, not text, so precision and offsets do not matter.
    return Math.sign(Date.parse(left) - Date.parse(right));
  }
  if (typeof left === "boolean" || typeof right === "boolean") return left === right ? 0 : undefined;
  const a = String(left).toLowerCase();
  const b = String(right).toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function toTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string") {
    const time = Date.parse(value);
    return Number.isNaN(time) ? undefined : time;
  }
  return undefined;
}
