// One recursive-descent parser per expression grammar (condition, update, projection), each
// producing a tree from the text alone. Trees are cached by text; binding to a request's
// ExpressionAttributeNames/Values happens in bind.ts.

import type { CallNode, Comparator, Condition, Operand, Parsed, PathElem, PathNode, TextErrors, UpdateAction } from "./ast.ts";
import { isReserved } from "./reserved.ts";

export class ExprSyntaxError extends Error {}

type TokType = "id" | "name" | "value" | "num" | "op" | "eof";
interface Token {
  t: TokType;
  text: string;
  pos: number;
  end: number;
}

const OPS = ["<>", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-"];

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    let t: TokType | undefined;
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      t = "id";
    } else if (c === "#" || c === ":") {
      i++;
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      // A bare sigil is a token of its own that no rule accepts.
      t = i - start === 1 ? "op" : c === "#" ? "name" : "value";
    } else if (/[0-9]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      t = "num";
    } else {
      // Characters no rule accepts become one-character tokens; the parser reports them
      // with their neighbours, as DynamoDB does.
      const op = OPS.find((o) => src.startsWith(o, i)) ?? c;
      i += op.length;
      t = "op";
    }
    out.push({ t, text: src.slice(start, i), pos: start, end: i });
  }
  out.push({ t: "eof", text: "<EOF>", pos: src.length, end: src.length });
  return out;
}

/** DynamoDB quotes the offending token and the source from the token before it to the one after. */
function syntaxError(src: string, toks: Token[], at: number): ExprSyntaxError {
  const tok = toks[at]!;
  const prev = at > 0 ? toks[at - 1]! : tok;
  const next = tok.t !== "eof" && toks[at + 1] && toks[at + 1]!.t !== "eof" ? toks[at + 1]! : tok;
  const near = src.slice(prev.pos, next.t === "eof" ? src.length : next.end);
  return new ExprSyntaxError(`Syntax error; token: "${tok.text}", near: "${near}"`);
}

const CONDITION_FUNCTIONS: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
const UPDATE_FUNCTIONS: Record<string, number> = { if_not_exists: 2, list_append: 2 };

class Parser {
  private i = 0;
  readonly errors: TextErrors = {};
  private readonly wrapped = new WeakSet<Condition>();
  private readonly toks: Token[];

  constructor(
    private readonly src: string,
    private readonly functions: Record<string, number>,
  ) {
    this.toks = lex(src);
  }

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  fail(): never {
    throw syntaxError(this.src, this.toks, Math.min(this.i, this.toks.length - 1));
  }
  private isOp(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === "op" && t.text === text;
  }
  private isKw(word: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === "id" && t.text.toUpperCase() === word;
  }
  private expectOp(text: string): void {
    if (!this.isOp(text)) this.fail();
    this.i++;
  }
  atEnd(): boolean {
    return this.peek().t === "eof";
  }
  expectEnd(): void {
    if (!this.atEnd()) this.fail();
  }

  path(): PathNode {
    const elems: PathElem[] = [this.pathName()];
    for (;;) {
      if (this.isOp(".")) {
        this.i++;
        elems.push(this.pathName());
      } else if (this.isOp("[")) {
        this.i++;
        const t = this.peek();
        if (t.t !== "num" || !/^\d+$/.test(t.text)) this.fail();
        this.i++;
        this.expectOp("]");
        elems.push({ kind: "index", index: Number(t.text) });
      } else return { k: "path", elems };
    }
  }

  private pathName(): PathElem {
    const t = this.peek();
    if (t.t === "name") {
      this.i++;
      return { kind: "name", name: t.text, ref: true };
    }
    if (t.t === "id") {
      this.i++;
      if (isReserved(t.text)) this.errors.reserved ??= `Attribute name is a reserved keyword; reserved keyword: ${t.text}`;
      return { kind: "name", name: t.text, ref: false };
    }
    this.fail();
  }

  private call(): CallNode {
    const name = this.next().text;
    this.expectOp("(");
    const args: Operand[] = [];
    if (!this.isOp(")")) {
      args.push(this.operand(true));
      while (this.isOp(",")) {
        this.i++;
        args.push(this.operand(true));
      }
    }
    this.expectOp(")");
    const arity = this.functions[name];
    if (arity === undefined) this.errors.unknownFunction ??= `Invalid function name; function: ${name}`;
    else if (arity !== args.length)
      this.errors.operand ??= `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`;
    return { k: "call", name, args };
  }

  /** A path, a :value or a function call. `inCall` allows nested calls (checked later). */
  operand(inCall = false): Operand {
    const t = this.peek();
    if (t.t === "value") {
      this.i++;
      return { k: "value", ref: t.text };
    }
    if (t.t === "id" && this.isOp("(", 1)) {
      const c = this.call();
      if (!inCall && c.name !== "size" && this.functions === CONDITION_FUNCTIONS)
        this.errors.misusedFunction ??= `The function is not allowed to be used this way in an expression; function: ${c.name}`;
      return c;
    }
    if (t.t === "id" || t.t === "name") return this.path();
    this.fail();
  }

  // condition := or
  condition(): Condition {
    let l = this.conjunction();
    while (this.isKw("OR")) {
      this.i++;
      l = { k: "or", l, r: this.conjunction() };
    }
    return l;
  }
  private conjunction(): Condition {
    let l = this.negation();
    while (this.isKw("AND")) {
      this.i++;
      l = { k: "and", l, r: this.negation() };
    }
    return l;
  }
  private negation(): Condition {
    if (this.isKw("NOT")) {
      this.i++;
      return { k: "not", c: this.negation() };
    }
    return this.primary();
  }
  private primary(): Condition {
    if (this.isOp("(")) {
      this.i++;
      const c = this.condition();
      this.expectOp(")");
      // "((x))": the inner parentheses add nothing.
      if (this.wrapped.has(c)) this.errors.parens ??= "The expression has redundant parentheses;";
      this.wrapped.add(c);
      return c;
    }
    const t = this.peek();
    if (t.t === "id" && this.isOp("(", 1) && !(t.text === "size")) {
      const call = this.call();
      if (this.isComparator() || this.isKw("BETWEEN") || this.isKw("IN")) {
        this.errors.misusedFunction ??= `The function is not allowed to be used this way in an expression; function: ${call.name}`;
        return this.afterOperand(call);
      }
      return { k: "fn", call };
    }
    const x = this.operand();
    if (x.k === "call" && x.name === "size" && !(this.isComparator() || this.isKw("BETWEEN") || this.isKw("IN"))) {
      this.errors.misusedFunction ??= "The function is not allowed to be used this way in an expression; function: size";
      return { k: "fn", call: x };
    }
    return this.afterOperand(x);
  }

  private isComparator(): boolean {
    const t = this.peek();
    return t.t === "op" && ["=", "<>", "<", "<=", ">", ">="].includes(t.text);
  }

  private afterOperand(x: Operand): Condition {
    if (this.isComparator()) {
      const op = this.next().text as Comparator;
      return { k: "cmp", op, l: x, r: this.operand() };
    }
    if (this.isKw("BETWEEN")) {
      this.i++;
      const lo = this.operand();
      if (!this.isKw("AND")) this.fail();
      this.i++;
      return { k: "between", x, lo, hi: this.operand() };
    }
    if (this.isKw("IN")) {
      this.i++;
      this.expectOp("(");
      const list = [this.operand()];
      while (this.isOp(",")) {
        this.i++;
        list.push(this.operand());
      }
      this.expectOp(")");
      return { k: "in", x, list };
    }
    this.fail();
  }

  // update := (SET … | REMOVE … | ADD … | DELETE …)+
  update(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    if (this.atEnd()) this.fail();
    while (!this.atEnd()) {
      const t = this.peek();
      const kw = t.t === "id" ? t.text.toUpperCase() : "";
      if (!["SET", "REMOVE", "ADD", "DELETE"].includes(kw)) this.fail();
      this.i++;
      if (seen.has(kw)) this.errors.section ??= `The "${kw}" section can only be used once in an update expression;`;
      seen.add(kw);
      do {
        if (actions.length && this.isOp(",")) this.i++;
        if (kw === "SET") {
          const path = this.path();
          this.expectOp("=");
          actions.push({ k: "set", path, value: this.setValue() });
        } else if (kw === "REMOVE") {
          actions.push({ k: "remove", path: this.path() });
        } else {
          const path = this.path();
          const v = this.peek();
          if (v.t !== "value") this.fail();
          this.i++;
          actions.push({ k: kw === "ADD" ? "add" : "delete", path, value: { k: "value", ref: v.text } });
        }
      } while (this.isOp(","));
    }
    return actions;
  }

  private setValue(): Operand {
    const l = this.setOperand();
    if (this.isOp("+") || this.isOp("-")) {
      const op = this.next().text as "+" | "-";
      return { k: "arith", op, l, r: this.setOperand() };
    }
    return l;
  }
  private setOperand(): Operand {
    const t = this.peek();
    if (t.t === "id" && this.isOp("(", 1)) {
      const name = this.next().text;
      this.expectOp("(");
      const args: Operand[] = [];
      if (!this.isOp(")")) {
        args.push(this.setValue());
        while (this.isOp(",")) {
          this.i++;
          args.push(this.setValue());
        }
      }
      this.expectOp(")");
      const arity = UPDATE_FUNCTIONS[name];
      if (arity === undefined) {
        if (name in CONDITION_FUNCTIONS)
          this.errors.unknownFunction ??= `The function is not allowed in a update expression; function: ${name}`;
        else this.errors.unknownFunction ??= `Invalid function name; function: ${name}`;
      } else if (arity !== args.length)
        this.errors.operand ??= `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`;
      return { k: "call", name, args };
    }
    return this.operand(true);
  }

  projection(): PathNode[] {
    const paths = [this.path()];
    while (this.isOp(",")) {
      this.i++;
      paths.push(this.path());
    }
    return paths;
  }
}

export type ParseResult<T> = Parsed<T> | { syntax: string };

const CACHE_LIMIT = 2000;
const caches = {
  condition: new Map<string, ParseResult<Condition>>(),
  update: new Map<string, ParseResult<UpdateAction[]>>(),
  projection: new Map<string, ParseResult<PathNode[]>>(),
};

function cached<T>(cache: Map<string, ParseResult<T>>, text: string, build: () => ParseResult<T>): ParseResult<T> {
  const hit = cache.get(text);
  if (hit) return hit;
  const result = build();
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(text, result);
  return result;
}

function run<T>(text: string, functions: Record<string, number>, body: (p: Parser) => T): ParseResult<T> {
  try {
    const p = new Parser(text, functions);
    const tree = body(p);
    p.expectEnd();
    return { tree, errors: p.errors };
  } catch (e) {
    if (e instanceof ExprSyntaxError) return { syntax: e.message };
    throw e;
  }
}

export function parseCondition(text: string): ParseResult<Condition> {
  return cached(caches.condition, text, () => run(text, CONDITION_FUNCTIONS, (p) => p.condition()));
}

export function parseUpdate(text: string): ParseResult<UpdateAction[]> {
  return cached(caches.update, text, () => run(text, UPDATE_FUNCTIONS, (p) => p.update()));
}

export function parseProjection(text: string): ParseResult<PathNode[]> {
  return cached(caches.projection, text, () => run(text, {}, (p) => p.projection()));
}
