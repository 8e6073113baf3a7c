// Request-level expression handling shared by the item, read and transaction operations:
// the mutual-exclusion rules between expression and legacy parameters, the attribute name
// and value maps, binding each expression, and the unused-name/value checks.

import type { Condition, Operand, PathNode, UpdateAction } from "../expr/ast.ts";
import { bindCondition, bindProjection, bindUpdate, ExprBindError, ExprContext, type ResolvedPath } from "../expr/bind.ts";
import { checkAttributeValue, compareScalar, typeOf, type AttributeValue, type Item } from "../types/attribute-value.ts";
import { validationError } from "../wire/errors.ts";
import type { Input } from "./context.ts";

export function expressionParamsError(data: Input, expressions: string[], nonExpressions: string[]): string | undefined {
  const exprParams = expressions.filter((e) => data[e] != null);
  if (exprParams.length) {
    let non = nonExpressions;
    if (data.KeyConditions != null && data.KeyConditionExpression == null) non = non.filter((n) => n !== "KeyConditions");
    const used = non.filter((n) => data[n] != null);
    if (used.length)
      return `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${used.join(", ")}} Expression parameters: {${exprParams.join(", ")}}`;
  }
  if (data.ExpressionAttributeNames != null && !exprParams.length)
    return "ExpressionAttributeNames can only be specified when using expressions";
  const valueExprs = expressions.filter((e) => e !== "ProjectionExpression");
  if (valueExprs.length && data.ExpressionAttributeValues != null && valueExprs.every((e) => data[e] == null))
    return `ExpressionAttributeValues can only be specified when using expressions: ${valueExprs.join(" and ")} ${valueExprs.length > 1 ? "are" : "is"} null`;
  return undefined;
}

/**
 * ConditionalOperator joins the conditions of a legacy map (Expected, QueryFilter or
 * ScanFilter), so DynamoDB refuses it with no map, an empty one or a single condition.
 * It runs right after the mixing check, before any other check of the request.
 */
export function conditionalOperatorError(data: Input, legacy: "Expected" | "QueryFilter" | "ScanFilter"): string | undefined {
  if (data.ConditionalOperator == null) return undefined;
  const n = Object.keys((data[legacy] as Record<string, unknown> | undefined) ?? {}).length;
  if (n === 0) return "ConditionalOperator cannot be used without Filter or Expected";
  if (n === 1) return "ConditionalOperator can only be used when Filter or Expected has two or more elements";
  return undefined;
}

export interface BoundExpressions {
  ctx: ExprContext;
  update?: UpdateAction[];
  condition?: Condition;
  keyCondition?: Condition;
  filter?: Condition;
  projection?: ResolvedPath[];
}

/** Validate the maps and bind every expression present, in DynamoDB's checking order. */
export function bindExpressions(data: Input): BoundExpressions {
  const names = data.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = data.ExpressionAttributeValues as Record<string, AttributeValue> | undefined;
  if (names) {
    if (!Object.keys(names).length) throw validationError("ExpressionAttributeNames must not be empty");
    for (const k in names)
      if (!/^#[0-9a-zA-Z_]+$/.test(k)) throw validationError(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${k}"`);
  }
  if (values) {
    if (!Object.keys(values).length) throw validationError("ExpressionAttributeValues must not be empty");
    for (const k in values)
      if (!/^:[0-9a-zA-Z_]+$/.test(k)) throw validationError(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${k}"`);
    for (const k in values) {
      const msg = checkAttributeValue(values[k] as Record<string, unknown>);
      if (msg) throw validationError(`ExpressionAttributeValues contains invalid value: ${msg} for key ${k}`);
    }
  }
  const ctx = new ExprContext(names ?? {}, values ?? {});
  const out: BoundExpressions = { ctx };
  try {
    if (data.UpdateExpression != null) out.update = bindUpdate(data.UpdateExpression as string, ctx);
    if (data.ConditionExpression != null) out.condition = bindCondition(data.ConditionExpression as string, "ConditionExpression", ctx);
    if (data.KeyConditionExpression != null)
      out.keyCondition = bindCondition(data.KeyConditionExpression as string, "KeyConditionExpression", ctx);
    if (data.FilterExpression != null) out.filter = bindCondition(data.FilterExpression as string, "FilterExpression", ctx);
    if (data.ProjectionExpression != null) out.projection = bindProjection(data.ProjectionExpression as string, ctx);
  } catch (e) {
    if (e instanceof ExprBindError) throw validationError(e.message);
    throw e;
  }
  const unused = ctx.unusedError();
  if (unused) throw validationError(unused);
  return out;
}

// ---- legacy parameters, translated into the same trees ----

/** Builds trees over synthetic #names and :values in a private context. */
export class LegacyBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private n = 0;

  path(attr: string): PathNode {
    const ref = `#l${this.n++}`;
    this.names[ref] = attr;
    return { k: "path", elems: [{ kind: "name", name: ref, ref: true }] };
  }
  value(v: AttributeValue): Operand {
    const ref = `:l${this.n++}`;
    this.values[ref] = v;
    return { k: "value", ref };
  }
  context(): ExprContext {
    return new ExprContext(this.names, this.values);
  }

  comparison(attr: string, op: string, list: AttributeValue[]): Condition {
    const p = this.path(attr);
    const v = (i: number) => this.value(list[i]!);
    const fn = (name: string, args: Operand[]): Condition => ({ k: "fn", call: { k: "call", name, args } });
    switch (op) {
      case "EQ":
        return { k: "cmp", op: "=", l: p, r: v(0) };
      case "NE":
        return { k: "cmp", op: "<>", l: p, r: v(0) };
      case "LT":
        return { k: "cmp", op: "<", l: p, r: v(0) };
      case "LE":
        return { k: "cmp", op: "<=", l: p, r: v(0) };
      case "GT":
        return { k: "cmp", op: ">", l: p, r: v(0) };
      case "GE":
        return { k: "cmp", op: ">=", l: p, r: v(0) };
      case "NULL":
        return fn("attribute_not_exists", [p]);
      case "NOT_NULL":
        return fn("attribute_exists", [p]);
      case "CONTAINS":
        return fn("contains", [p, v(0)]);
      case "NOT_CONTAINS":
        return { k: "and", l: fn("attribute_exists", [p]), r: { k: "not", c: fn("contains", [p, v(0)]) } };
      case "BEGINS_WITH":
        return fn("begins_with", [p, v(0)]);
      case "IN":
        return { k: "in", x: p, list: list.map((_, i) => v(i)) };
      case "BETWEEN":
        return { k: "between", x: p, lo: v(0), hi: v(1) };
    }
    throw validationError(`Unsupported ComparisonOperator: ${op}`);
  }

  combine(conds: Condition[], operator: unknown): Condition | undefined {
    if (!conds.length) return undefined;
    return conds.reduce((l, r) => ({ k: operator === "OR" ? "or" : "and", l, r }));
  }
}

interface ExpectedEntry {
  Value?: AttributeValue;
  Exists?: boolean;
  ComparisonOperator?: string;
  AttributeValueList?: AttributeValue[];
}

const ARG_COUNTS: Record<string, (n: number) => boolean> = {
  EQ: (n) => n === 1,
  NE: (n) => n === 1,
  LE: (n) => n === 1,
  LT: (n) => n === 1,
  GE: (n) => n === 1,
  GT: (n) => n === 1,
  CONTAINS: (n) => n === 1,
  NOT_CONTAINS: (n) => n === 1,
  BEGINS_WITH: (n) => n === 1,
  NULL: (n) => n === 0,
  NOT_NULL: (n) => n === 0,
  IN: (n) => n > 0,
  BETWEEN: (n) => n === 2,
};
const OP_TYPES: Record<string, string[]> = {
  EQ: ["S", "N", "B", "SS", "NS", "BS"],
  NE: ["S", "N", "B", "SS", "NS", "BS"],
  LE: ["S", "N", "B"],
  LT: ["S", "N", "B"],
  GE: ["S", "N", "B"],
  GT: ["S", "N", "B"],
  CONTAINS: ["S", "N", "B"],
  NOT_CONTAINS: ["S", "N", "B"],
  BEGINS_WITH: ["S", "B"],
  IN: ["S", "N", "B"],
  BETWEEN: ["S", "N", "B"],
};

/** Expected (PutItem/UpdateItem/DeleteItem): checks in DynamoDB's order, then the tree. */
export function expectedCondition(data: Input, b: LegacyBuilder): Condition | undefined {
  const expected = data.Expected as Record<string, ExpectedEntry> | undefined;
  if (!expected) return undefined;
  const conds: Condition[] = [];
  const invalid = "One or more parameter values were invalid: ";
  for (const key in expected) {
    const c = expected[key]!;
    if (c.AttributeValueList !== undefined && c.Value !== undefined)
      throw validationError(`${invalid}Value and AttributeValueList cannot be used together for Attribute: ${key}`);
    if (c.ComparisonOperator !== undefined) {
      if (c.Exists !== undefined)
        throw validationError(`${invalid}Exists and ComparisonOperator cannot be used together for Attribute: ${key}`);
      const op = c.ComparisonOperator;
      if (op !== "NULL" && op !== "NOT_NULL" && c.AttributeValueList === undefined && c.Value === undefined)
        throw validationError(`${invalid}Value or AttributeValueList must be used with ComparisonOperator: ${op} for Attribute: ${key}`);
      const list = c.AttributeValueList ?? (c.Value ? [c.Value] : []);
      if (!ARG_COUNTS[op]!(list.length)) throw validationError(`${invalid}Invalid number of argument(s) for the ${op} ComparisonOperator`);
      checkList(list, op);
      conds.push(b.comparison(key, op, list));
    } else if (c.AttributeValueList !== undefined) {
      throw validationError(`${invalid}AttributeValueList can only be used with a ComparisonOperator for Attribute: ${key}`);
    } else {
      const exists = c.Exists === undefined || c.Exists;
      if (exists && c.Value === undefined)
        throw validationError(`${invalid}Value must be provided when Exists is ${c.Exists === undefined ? "null" : c.Exists} for Attribute: ${key}`);
      if (!exists && c.Value !== undefined)
        throw validationError(`${invalid}Value cannot be used when Exists is false for Attribute: ${key}`);
      if (c.Value !== undefined) {
        const msg = checkAttributeValue(c.Value as Record<string, unknown>);
        if (msg) throw validationError(msg);
        conds.push(b.comparison(key, "EQ", [c.Value]));
      } else conds.push(b.comparison(key, "NULL", []));
    }
  }
  return b.combine(conds, data.ConditionalOperator);
}

function checkList(list: AttributeValue[], op: string): void {
  for (const v of list) {
    const msg = checkAttributeValue(v as Record<string, unknown>);
    if (msg) throw validationError(msg);
  }
  if (list.length) {
    const t = typeOf(list[0]!);
    if (list.some((v) => typeOf(v) !== t))
      throw validationError("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type");
  }
  const allowed = OP_TYPES[op];
  if (allowed)
    for (const v of list)
      if (!allowed.includes(typeOf(v)))
        throw validationError(`One or more parameter values were invalid: ComparisonOperator ${op} is not valid for ${typeOf(v)} AttributeValue type`);
  if (op === "BETWEEN") {
    const cmp = compareScalar(list[0]!, list[1]!);
    if (cmp !== undefined && cmp > 0)
      throw validationError("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
  }
}

interface LegacyCondition {
  ComparisonOperator: string;
  AttributeValueList?: AttributeValue[];
}

/** QueryFilter / ScanFilter / KeyConditions validation (DynamoDB's validateConditions). */
export function checkConditions(conds: Record<string, LegacyCondition> | undefined): void {
  for (const key in conds ?? {}) {
    const c = conds![key]!;
    const list = c.AttributeValueList ?? [];
    for (const v of list) {
      const msg = checkAttributeValue(v as Record<string, unknown>);
      if (msg) throw validationError(msg);
    }
    if (!ARG_COUNTS[c.ComparisonOperator]!(list.length))
      throw validationError(`One or more parameter values were invalid: Invalid number of argument(s) for the ${c.ComparisonOperator} ComparisonOperator`);
    checkList(list, c.ComparisonOperator);
  }
}

export function legacyFilter(conds: Record<string, LegacyCondition> | undefined, operator: unknown, b: LegacyBuilder): Condition | undefined {
  if (!conds) return undefined;
  return b.combine(
    Object.entries(conds).map(([attr, c]) => b.comparison(attr, c.ComparisonOperator, c.AttributeValueList ?? [])),
    operator,
  );
}

export function duplicateAttributesToGet(data: Input): void {
  const list = data.AttributesToGet as string[] | undefined;
  if (!list) return;
  const seen = new Set<string>();
  for (const a of list) {
    if (seen.has(a)) throw validationError(`One or more parameter values were invalid: Duplicate value in attribute name: ${a}`);
    seen.add(a);
  }
}

export function attributesToGetPaths(data: Input): ResolvedPath[] | undefined {
  const list = data.AttributesToGet as string[] | undefined;
  return list?.map((a) => [a]);
}

export function checkItemValues(item: Item): void {
  for (const k in item) {
    const msg = checkAttributeValue(item[k] as Record<string, unknown>);
    if (msg) throw validationError(msg);
  }
}
