// Evaluating bound trees against items: conditions, update actions and projections.

import type { Condition, Operand, UpdateAction } from "./ast.ts";
import type { ExprContext, ResolvedPath } from "./bind.ts";
import {
  compareScalar,
  setHas,
  typeOf,
  valueOf,
  valuesEqual,
  type AttributeValue,
  type Item,
} from "../types/attribute-value.ts";
import { addDec, formatDec, negateDec, numberRangeError, parseDec } from "../types/number.ts";

/** A runtime failure that DynamoDB reports as a ValidationException. */
export class EvalError extends Error {}

export function getPath(item: Item, path: ResolvedPath): AttributeValue | undefined {
  let cur: AttributeValue | undefined = item[path[0] as string];
  for (let i = 1; i < path.length && cur; i++) {
    const p = path[i]!;
    if (typeof p === "number") cur = "L" in cur ? cur.L[p] : undefined;
    else cur = "M" in cur ? cur.M[p] : undefined;
  }
  return cur;
}

function sizeOf(v: AttributeValue | undefined): AttributeValue | undefined {
  if (!v) return undefined;
  const t = typeOf(v);
  let n: number;
  if (t === "S") n = [...(v as { S: string }).S].length;
  else if (t === "B") n = Buffer.from((v as { B: string }).B, "base64").length;
  else if (t === "SS" || t === "NS" || t === "BS" || t === "L") n = (valueOf(v) as unknown[]).length;
  else if (t === "M") n = Object.keys((v as { M: Item }).M).length;
  else return undefined;
  return { N: String(n) };
}

function operand(o: Operand, item: Item, ctx: ExprContext): AttributeValue | undefined {
  switch (o.k) {
    case "path":
      return getPath(item, ctx.resolvePath(o));
    case "value":
      return ctx.value(o.ref);
    case "call":
      if (o.name === "size") return sizeOf(operand(o.args[0]!, item, ctx));
      return undefined;
    case "arith":
      return undefined;
  }
}

function contains(hay: AttributeValue, needle: AttributeValue): boolean {
  const t = typeOf(hay);
  if ("S" in hay && "S" in needle) return hay.S.includes(needle.S);
  if (t === "B" && "B" in needle)
    return Buffer.from((hay as { B: string }).B, "base64").includes(Buffer.from(needle.B, "base64"));
  if (t === "SS" || t === "NS" || t === "BS") return setHas(hay, needle);
  if (t === "L") return (hay as { L: AttributeValue[] }).L.some((e) => valuesEqual(e, needle));
  return false;
}

function beginsWith(v: AttributeValue, prefix: AttributeValue): boolean {
  if ("S" in v && "S" in prefix) return v.S.startsWith(prefix.S);
  if ("B" in v && "B" in prefix) {
    const a = Buffer.from(v.B, "base64");
    const b = Buffer.from(prefix.B, "base64");
    return a.length >= b.length && a.subarray(0, b.length).equals(b);
  }
  return false;
}

export function evaluate(c: Condition, item: Item | undefined, ctx: ExprContext): boolean {
  const it = item ?? {};
  switch (c.k) {
    case "and":
      return evaluate(c.l, it, ctx) && evaluate(c.r, it, ctx);
    case "or":
      return evaluate(c.l, it, ctx) || evaluate(c.r, it, ctx);
    case "not":
      return !evaluate(c.c, it, ctx);
    case "cmp": {
      const l = operand(c.l, it, ctx);
      const r = operand(c.r, it, ctx);
      if (c.op === "=") return !!l && !!r && valuesEqual(l, r);
      if (c.op === "<>") return !l || !r || !valuesEqual(l, r);
      if (!l || !r) return false;
      const cmp = compareScalar(l, r);
      if (cmp === undefined) return false;
      return c.op === "<" ? cmp < 0 : c.op === "<=" ? cmp <= 0 : c.op === ">" ? cmp > 0 : cmp >= 0;
    }
    case "between": {
      const x = operand(c.x, it, ctx);
      const lo = operand(c.lo, it, ctx);
      const hi = operand(c.hi, it, ctx);
      if (!x || !lo || !hi) return false;
      const a = compareScalar(x, lo);
      const b = compareScalar(x, hi);
      return a !== undefined && b !== undefined && a >= 0 && b <= 0;
    }
    case "in": {
      const x = operand(c.x, it, ctx);
      if (!x) return false;
      return c.list.some((o) => {
        const v = operand(o, it, ctx);
        return !!v && valuesEqual(x, v);
      });
    }
    case "fn": {
      const { name, args } = c.call;
      const a = operand(args[0]!, it, ctx);
      switch (name) {
        case "attribute_exists":
          return a !== undefined;
        case "attribute_not_exists":
          return a === undefined;
        case "attribute_type": {
          const t = operand(args[1]!, it, ctx);
          return !!a && !!t && "S" in t && typeOf(a) === t.S;
        }
        case "begins_with": {
          const p = operand(args[1]!, it, ctx);
          return !!a && !!p && beginsWith(a, p);
        }
        case "contains": {
          const n = operand(args[1]!, it, ctx);
          return !!a && !!n && contains(a, n);
        }
      }
      return false;
    }
  }
}

// ---- updates ----

function checkedNumber(text: string): string {
  const d = parseDec(text);
  const err = numberRangeError(d);
  if (err) throw new EvalError(err);
  return formatDec(d);
}

function setValue(o: Operand, item: Item, ctx: ExprContext): AttributeValue {
  switch (o.k) {
    case "path": {
      const v = getPath(item, ctx.resolvePath(o));
      if (!v) throw new EvalError("The provided expression refers to an attribute that does not exist in the item");
      return v;
    }
    case "value":
      return ctx.value(o.ref);
    case "arith": {
      const l = setValue(o.l, item, ctx);
      const r = setValue(o.r, item, ctx);
      if (!("N" in l) || !("N" in r))
        throw new EvalError("An operand in the update expression has an incorrect data type");
      const rd = parseDec(r.N);
      return { N: checkedNumber(formatDec(addDec(parseDec(l.N), o.op === "+" ? rd : negateDec(rd)))) };
    }
    case "call": {
      if (o.name === "if_not_exists") {
        const cur = o.args[0]!.k === "path" ? getPath(item, ctx.resolvePath(o.args[0] as never)) : undefined;
        return cur ?? setValue(o.args[1]!, item, ctx);
      }
      if (o.name === "list_append") {
        const a = setValue(o.args[0]!, item, ctx);
        const b = setValue(o.args[1]!, item, ctx);
        if (!("L" in a) || !("L" in b)) throw new EvalError("An operand in the update expression has an incorrect data type");
        return { L: [...a.L, ...b.L] };
      }
      throw new EvalError(`Invalid function name; function: ${o.name}`);
    }
  }
}

const INVALID_PATH = "The document path provided in the update expression is invalid for update";

/** The container holding the last element of `path`, or throws when a step is missing. */
function parentOf(item: Item, path: ResolvedPath, forRemove: boolean): AttributeValue | Item | undefined {
  if (path.length === 1) return item;
  let cur: AttributeValue | undefined = item[path[0] as string];
  for (let i = 1; i < path.length - 1; i++) {
    const p = path[i]!;
    if (!cur) break;
    if (typeof p === "number") cur = "L" in cur ? cur.L[p] : undefined;
    else cur = "M" in cur ? cur.M[p] : undefined;
  }
  if (!cur) {
    if (forRemove) return undefined;
    throw new EvalError(INVALID_PATH);
  }
  const last = path[path.length - 1]!;
  if (typeof last === "number" ? !("L" in cur) : !("M" in cur)) {
    if (forRemove) return undefined;
    throw new EvalError(INVALID_PATH);
  }
  return cur;
}

function assign(item: Item, path: ResolvedPath, v: AttributeValue): void {
  const parent = parentOf(item, path, false)!;
  const last = path[path.length - 1]!;
  if (parent === item) {
    item[last as string] = v;
    return;
  }
  if (typeof last === "number") {
    const list = (parent as { L: AttributeValue[] }).L;
    if (last >= list.length) list.push(v);
    else list[last] = v;
  } else (parent as { M: Item }).M[last] = v;
}

function remove(item: Item, path: ResolvedPath): void {
  const parent = parentOf(item, path, true);
  if (!parent) return;
  const last = path[path.length - 1]!;
  if (parent === item) {
    delete item[last as string];
    return;
  }
  if (typeof last === "number") {
    const list = (parent as { L: AttributeValue[] }).L;
    if (last < list.length) list.splice(last, 1);
  } else delete (parent as { M: Item }).M[last];
}

function setElementKey(t: string, s: string): string {
  if (t === "NS") return formatDec(parseDec(s));
  if (t === "BS") return Buffer.from(s, "base64").toString("hex");
  return s;
}

/**
 * Apply update actions to a copy of `item`. All right-hand sides read the item as it was
 * before the update, as DynamoDB does. Returns the new item and the updated paths.
 */
export function applyUpdate(
  actions: UpdateAction[],
  old: Item,
  ctx: ExprContext,
): { item: Item; paths: ResolvedPath[] } {
  const item = structuredClone(old);
  const paths: ResolvedPath[] = [];
  const sets: [ResolvedPath, AttributeValue][] = [];
  const removes: ResolvedPath[] = [];
  for (const a of actions) {
    const path = ctx.resolvePath(a.path);
    paths.push(path);
    if (a.k === "set") sets.push([path, setValue(a.value, old, ctx)]);
    else if (a.k === "remove") removes.push(path);
    else {
      const v = ctx.value((a.value as { ref: string }).ref);
      const cur = getPath(old, path);
      const t = typeOf(v);
      if (a.k === "add") {
        if (!cur) sets.push([path, v]);
        else if ("N" in cur && "N" in v) sets.push([path, { N: checkedNumber(formatDec(addDec(parseDec(cur.N), parseDec(v.N)))) }]);
        else if (typeOf(cur) === t && (t === "SS" || t === "NS" || t === "BS")) {
          const existing = valueOf(cur) as string[];
          const keys = new Set(existing.map((s) => setElementKey(t, s)));
          const merged = [...existing];
          for (const s of valueOf(v) as string[]) if (!keys.has(setElementKey(t, s))) merged.push(s);
          sets.push([path, { [t]: merged } as AttributeValue]);
        } else throw new EvalError("An operand in the update expression has an incorrect data type");
      } else {
        if (!cur) continue;
        if (typeOf(cur) !== t) throw new EvalError("An operand in the update expression has an incorrect data type");
        const drop = new Set((valueOf(v) as string[]).map((s) => setElementKey(t, s)));
        const kept = (valueOf(cur) as string[]).filter((s) => !drop.has(setElementKey(t, s)));
        if (kept.length) sets.push([path, { [t]: kept } as AttributeValue]);
        else removes.push(path);
      }
    }
  }
  for (const [p, v] of sets) assign(item, p, structuredClone(v));
  // Remove list elements from the highest index down so earlier removals do not shift later ones.
  removes.sort((a, b) => {
    const x = a[a.length - 1];
    const y = b[b.length - 1];
    return typeof x === "number" && typeof y === "number" ? y - x : 0;
  });
  for (const p of removes) remove(item, p);
  return { item, paths };
}

// ---- projections ----

/** Copy only the given document paths of `item`, keeping list elements in order. */
export function project(item: Item, paths: ResolvedPath[]): Item {
  const out: Item = {};
  for (const path of paths) {
    const v = getPath(item, path);
    if (!v) continue;
    copyInto(out, item, path);
  }
  for (const k in out) out[k] = compactValue(out[k]!);
  return out;
}

type Holes = AttributeValue[] & { holes?: boolean };

function copyInto(out: Item, src: Item, path: ResolvedPath): void {
  let srcCur: AttributeValue = src[path[0] as string]!;
  if (path.length === 1) {
    out[path[0] as string] = structuredClone(srcCur);
    return;
  }
  let dst: AttributeValue | undefined = out[path[0] as string];
  if (!dst) {
    dst = "L" in srcCur ? { L: [] } : { M: {} };
    out[path[0] as string] = dst;
  }
  for (let i = 1; i < path.length; i++) {
    const p = path[i]!;
    const next: AttributeValue =
      typeof p === "number" ? (srcCur as { L: AttributeValue[] }).L[p]! : (srcCur as { M: Item }).M[p]!;
    const isLast = i === path.length - 1;
    let child: AttributeValue | undefined;
    if (typeof p === "number") {
      const list: Holes = (dst as { L: Holes }).L;
      list.holes = true;
      child = isLast ? structuredClone(next) : (list[p] ?? ("L" in next ? { L: [] } : { M: {} }));
      list[p] = child;
    } else {
      const map: Item = (dst as { M: Item }).M;
      child = isLast ? structuredClone(next) : (map[p] ?? ("L" in next ? { L: [] } : { M: {} }));
      map[p] = child;
    }
    dst = child;
    srcCur = next;
  }
}

function compactValue(v: AttributeValue): AttributeValue {
  if ("L" in v) {
    const list: Holes = v.L;
    const dense = list.holes ? list.filter((e) => e !== undefined) : list;
    return { L: dense.map(compactValue) };
  }
  if ("M" in v) {
    const m: Item = {};
    for (const k in v.M) m[k] = compactValue(v.M[k]!);
    return { M: m };
  }
  return v;
}
