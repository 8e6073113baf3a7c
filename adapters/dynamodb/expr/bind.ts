// Binding a cached tree to one request: resolve #names and :values, mark them used, and
// run the checks that need them, reporting the first error in DynamoDB's order.

import type { CallNode, Condition, Operand, PathNode, UpdateAction } from "./ast.ts";
import { parseCondition, parseProjection, parseUpdate, type ParseResult } from "./parser.ts";
import { compareScalar, typeOf, type AttributeValue, type AttrType } from "../types/attribute-value.ts";

export type ResolvedPath = (string | number)[];

/** Names and values of one request, shared by all its expressions. */
export class ExprContext {
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();
  constructor(
    readonly names: Record<string, string> = {},
    readonly values: Record<string, AttributeValue> = {},
  ) {}

  resolvePath(p: PathNode): ResolvedPath {
    return p.elems.map((e) => (e.kind === "index" ? e.index : e.ref ? this.names[e.name]! : e.name));
  }
  value(ref: string): AttributeValue {
    return this.values[ref]!;
  }

  unusedError(): string | undefined {
    const names = Object.keys(this.names).filter((n) => !this.usedNames.has(n));
    if (names.length) return `Value provided in ExpressionAttributeNames unused in expressions: keys: {${names.join(", ")}}`;
    const values = Object.keys(this.values).filter((v) => !this.usedValues.has(v));
    if (values.length) return `Value provided in ExpressionAttributeValues unused in expressions: keys: {${values.join(", ")}}`;
    return undefined;
  }
}

export class ExprBindError extends Error {}

function pathStr(path: ResolvedPath): string {
  return `[${path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(", ")}]`;
}

function samePath(a: ResolvedPath, b: ResolvedPath): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Overlap and conflict between document paths, as projection and update check them. */
function checkPaths(paths: ResolvedPath[]): { overlap?: string; conflict?: string } {
  const out: { overlap?: string; conflict?: string } = {};
  const seen: ResolvedPath[] = [];
  for (const p of paths) {
    for (const q of seen) {
      let diverged = false;
      for (let i = 0; i < q.length && i < p.length; i++) {
        if (typeof q[i] !== typeof p[i]) {
          out.conflict ??= `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${pathStr(q)}, path two: ${pathStr(p)}`;
          diverged = true;
          break;
        }
        if (q[i] !== p[i]) {
          diverged = true;
          break;
        }
      }
      if (!diverged) {
        out.overlap ??= `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathStr(q)}, path two: ${pathStr(p)}`;
      }
    }
    if (out.overlap) break;
    seen.push(p);
  }
  return out;
}

class Resolver {
  /** The first path problem met walking the tree: an undefined #name, or too deep a path. */
  pathError?: string;
  valueError?: string;
  constructor(private readonly ctx: ExprContext) {}

  path(p: PathNode): void {
    for (const e of p.elems) {
      if (e.kind !== "name" || !e.ref) continue;
      if (this.ctx.names[e.name] === undefined) {
        this.pathError ??= `An expression attribute name used in the document path is not defined; attribute name: ${e.name}`;
      } else this.ctx.usedNames.add(e.name);
    }
    // DynamoDB measures a path once its names resolve, so a bad #name in it is reported first.
    if (p.elems.length > MAX_PATH_DEPTH)
      this.pathError ??= `The document path has too many nesting levels; nesting levels: ${p.elems.length}`;
  }
  operand(o: Operand): void {
    switch (o.k) {
      case "path":
        return this.path(o);
      case "value":
        if (this.ctx.values[o.ref] === undefined)
          this.valueError ??= `An expression attribute value used in expression is not defined; attribute value: ${o.ref}`;
        else this.ctx.usedValues.add(o.ref);
        return;
      case "call":
        return o.args.forEach((a) => this.operand(a));
      case "arith":
        this.operand(o.l);
        return this.operand(o.r);
    }
  }
  condition(c: Condition): void {
    switch (c.k) {
      case "cmp":
        this.operand(c.l);
        return this.operand(c.r);
      case "between":
        this.operand(c.x);
        this.operand(c.lo);
        return this.operand(c.hi);
      case "in":
        this.operand(c.x);
        return c.list.forEach((o) => this.operand(o));
      case "and":
      case "or":
        this.condition(c.l);
        return this.condition(c.r);
      case "not":
        return this.condition(c.c);
      case "fn":
        return this.operand(c.call);
    }
  }
}

const VALID_TYPE_NAMES = ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];

/** Static type of an operand when known from the request alone. */
function staticType(o: Operand, ctx: ExprContext): AttrType | undefined {
  if (o.k === "value") {
    const v = ctx.values[o.ref];
    return v ? typeOf(v) : undefined;
  }
  if (o.k === "call") {
    if (o.name === "size") return "N";
    if (o.name === "list_append") return "L";
  }
  if (o.k === "arith") return "N";
  return undefined;
}

function checkFunctionTypes(c: Condition, ctx: ExprContext): string | undefined {
  const checkCall = (call: CallNode): string | undefined => {
    const { name, args } = call;
    if (args.length === 2 && args[0]!.k === "path" && args[1]!.k === "path") {
      const a = ctx.resolvePath(args[0]!);
      const b = ctx.resolvePath(args[1]!);
      if (samePath(a, b))
        return `The first operand must be distinct from the remaining operands for this operator or function; operator: ${name}, first operand: ${pathStr(a)}`;
    }
    switch (name) {
      case "attribute_exists":
      case "attribute_not_exists":
        if (args[0]?.k !== "path") return `Operator or function requires a document path; operator or function: ${name}`;
        return undefined;
      case "begins_with":
        for (const a of args) {
          const t = staticType(a, ctx);
          if (t && t !== "S" && t !== "B")
            return `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${t}`;
        }
        return undefined;
      case "attribute_type": {
        const t = staticType(args[1]!, ctx);
        if (t !== "S")
          return `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${t ?? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"}`;
        const typeName = (ctx.value((args[1] as { ref: string }).ref) as { S: string }).S;
        if (!VALID_TYPE_NAMES.includes(typeName))
          return `Invalid attribute type name found; type: ${typeName}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`;
        return undefined;
      }
      case "size": {
        const t = staticType(args[0]!, ctx);
        if (t && ["N", "BOOL", "NULL"].includes(t))
          return `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${t}`;
        return undefined;
      }
    }
    return undefined;
  };
  const inOperand = (o: Operand): string | undefined => (o.k === "call" ? checkCall(o) : undefined);
  switch (c.k) {
    case "cmp": {
      const a = c.l.k === "path" ? ctx.resolvePath(c.l) : undefined;
      const b = c.r.k === "path" ? ctx.resolvePath(c.r) : undefined;
      if (a && b && samePath(a, b))
        return `The first operand must be distinct from the remaining operands for this operator or function; operator: ${c.op}, first operand: ${pathStr(a)}`;
      return inOperand(c.l) ?? inOperand(c.r);
    }
    case "between": {
      const err = inOperand(c.x) ?? inOperand(c.lo) ?? inOperand(c.hi);
      if (err) return err;
      if (c.lo.k === "value" && c.hi.k === "value") {
        const lo = ctx.value(c.lo.ref);
        const hi = ctx.value(c.hi.ref);
        const tl = typeOf(lo);
        const th = typeOf(hi);
        const show = (t: string, v: AttributeValue) => `AttributeValue: {${t}:${String((v as Record<string, unknown>)[t])}}`;
        if (tl !== th)
          return `The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: ${show(tl, lo)}, upper bound operand: ${show(th, hi)}`;
        const cmp = compareScalar(lo, hi);
        if (cmp !== undefined && cmp > 0)
          return `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: ${show(tl, lo)}, upper bound operand: ${show(th, hi)}`;
      }
      return undefined;
    }
    case "in": {
      const err = inOperand(c.x) ?? c.list.map(inOperand).find(Boolean);
      if (err) return err;
      if (c.list.length > MAX_IN_OPERANDS) return `The IN operator is provided with too many operands; number of operands: ${c.list.length}`;
      return undefined;
    }
    case "and":
    case "or":
      return checkFunctionTypes(c.l, ctx) ?? checkFunctionTypes(c.r, ctx);
    case "not":
      return checkFunctionTypes(c.c, ctx);
    case "fn":
      return checkCall(c.call);
  }
}

const MAX_EXPRESSION_BYTES = 4096;
const MAX_OPERATORS = 300;
/** The most values one IN may compare against (the left operand is not counted). */
const MAX_IN_OPERANDS = 100;
/** Document paths may nest 32 levels; every name and list index is one level. */
const MAX_PATH_DEPTH = 32;

function syntaxOrEmpty<T>(text: string, label: string, parse: (t: string) => ParseResult<T>): ParseResult<T> {
  if (text === "") throw new ExprBindError(`Invalid ${label}: The expression can not be empty;`);
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_EXPRESSION_BYTES)
    throw new ExprBindError(`Invalid ${label}: Expression size has exceeded the maximum allowed size; expression size: ${size}`);
  const r = parse(text);
  if ("syntax" in r) throw new ExprBindError(`Invalid ${label}: ${r.syntax}`);
  return r;
}

function operatorCount(c: Condition): number {
  switch (c.k) {
    case "and":
    case "or":
      return 1 + operatorCount(c.l) + operatorCount(c.r);
    case "not":
      return 1 + operatorCount(c.c);
    default:
      return 1;
  }
}

/** Parse (cached) and bind a condition-grammar expression; throws ExprBindError. */
export function bindCondition(text: string, label: string, ctx: ExprContext): Condition {
  const r = syntaxOrEmpty(text, label, parseCondition);
  if ("syntax" in r) throw new Error("unreachable");
  const { tree, errors } = r;
  const ops = operatorCount(tree);
  if (ops > MAX_OPERATORS) throw new ExprBindError(`Invalid ${label}: The expression contains too many operators; operator count: ${ops}`);
  const first = errors.parens ?? errors.unknownFunction ?? errors.misusedFunction ?? errors.reserved;
  if (first) throw new ExprBindError(`Invalid ${label}: ${first}`);
  const res = new Resolver(ctx);
  res.condition(tree);
  const err = res.pathError ?? res.valueError ?? errors.operand ?? checkFunctionTypes(tree, ctx);
  if (err) throw new ExprBindError(`Invalid ${label}: ${err}`);
  return tree;
}

export function bindProjection(text: string, ctx: ExprContext): ResolvedPath[] {
  const r = syntaxOrEmpty(text, "ProjectionExpression", parseProjection);
  if ("syntax" in r) throw new Error("unreachable");
  const { tree, errors } = r;
  if (errors.reserved) throw new ExprBindError(`Invalid ProjectionExpression: ${errors.reserved}`);
  const res = new Resolver(ctx);
  tree.forEach((p) => res.path(p));
  if (res.pathError) throw new ExprBindError(`Invalid ProjectionExpression: ${res.pathError}`);
  const paths = tree.map((p) => ctx.resolvePath(p));
  const pc = checkPaths(paths);
  const err = pc.overlap ?? pc.conflict;
  if (err) throw new ExprBindError(`Invalid ProjectionExpression: ${err}`);
  return paths;
}

const TYPE_WORDS: Partial<Record<AttrType, string>> = {
  S: "STRING",
  N: "NUMBER",
  B: "BINARY",
  NULL: "NULL",
  BOOL: "BOOLEAN",
  L: "LIST",
  M: "MAP",
};

export function bindUpdate(text: string, ctx: ExprContext): UpdateAction[] {
  const r = syntaxOrEmpty(text, "UpdateExpression", parseUpdate);
  if ("syntax" in r) throw new Error("unreachable");
  const { tree, errors } = r;
  const label = "Invalid UpdateExpression: ";
  const first = errors.reserved ?? errors.unknownFunction ?? errors.section;
  if (first) throw new ExprBindError(label + first);
  const res = new Resolver(ctx);
  for (const a of tree) {
    res.path(a.path);
    if (a.k !== "remove") res.operand(a.value);
  }
  if (res.pathError ?? res.valueError) throw new ExprBindError(label + (res.pathError ?? res.valueError));
  const pc = checkPaths(tree.map((a) => ctx.resolvePath(a.path)));
  if (pc.overlap ?? pc.conflict) throw new ExprBindError(label + (pc.overlap ?? pc.conflict));
  for (const a of tree) {
    if (a.k !== "add" && a.k !== "delete") continue;
    const t = staticType(a.value, ctx);
    const op = a.k === "add" ? "ADD" : "DELETE";
    if (t && TYPE_WORDS[t] && !(op === "ADD" && t === "N"))
      throw new ExprBindError(`${label}Incorrect operand type for operator or function; operator: ${op}, operand type: ${TYPE_WORDS[t]}`);
  }
  if (errors.operand) throw new ExprBindError(label + errors.operand);
  const fnErr = tree.map((a) => (a.k === "set" ? checkSetValue(a.value, ctx) : undefined)).find(Boolean);
  if (fnErr) throw new ExprBindError(label + fnErr);
  return tree;
}

function checkSetValue(o: Operand, ctx: ExprContext): string | undefined {
  if (o.k === "arith") {
    for (const side of [o.l, o.r]) {
      const t = side.k === "value" ? staticType(side, ctx) : undefined;
      if (t && t !== "N") return `Incorrect operand type for operator or function; operator or function: ${o.op}, operand type: ${t}`;
    }
    return checkSetValue(o.l, ctx) ?? checkSetValue(o.r, ctx);
  }
  if (o.k === "call") {
    if (o.name === "if_not_exists" && o.args[0]?.k !== "path")
      return `Operator or function requires a document path; operator or function: ${o.name}`;
    if (o.name === "list_append") {
      for (const a of o.args) {
        const t = a.k === "value" ? staticType(a, ctx) : undefined;
        if (t && t !== "L") return `Incorrect operand type for operator or function; operator or function: ${o.name}, operand type: ${t}`;
      }
    }
    return o.args.map((a) => checkSetValue(a, ctx)).find(Boolean);
  }
  return undefined;
}
