// Query and Scan: key ranges over the order-preserving layout, Limit and the 1 MB page,
// filters after the read, projections last.

import { encodeTuple, prefixEnd, tupleRange, type TupleElement } from "../../../kvclient/tuple.ts";
import type { Condition, Operand } from "../expr/ast.ts";
import type { ExprContext, ResolvedPath } from "../expr/bind.ts";
import { evaluate, project } from "../expr/evaluate.ts";
import {
  decodeJson,
  HASH_SPACE,
  indexHashRange,
  indexPartitionHash,
  indexPartitionPrefix,
  itemsHashRange,
  keyAfter,
  keyElement,
  partitionPrefix,
} from "../keyspace.ts";
import {
  attrType,
  findIndex,
  hashKeyNames,
  indexEntry,
  indexStorageId,
  projectedNames,
  rangeKeyNames,
  storageKey,
  tableKeyNames,
  type IndexRecord,
  type TableRecord,
} from "../storage/table.ts";
import { checkAttributeValue, compareScalar, itemSize, typeOf, type AttributeValue, type Item } from "../types/attribute-value.ts";
import { validationError } from "../wire/errors.ts";
import { consumedCapacity, newCapacity, readUnits } from "./capacity.ts";
import { requireTable, type Input, type OpContext, type Output } from "./context.ts";
import {
  attributesToGetPaths,
  bindExpressions,
  checkConditions,
  conditionalOperatorError,
  duplicateAttributesToGet,
  expressionParamsError,
  LegacyBuilder,
  legacyFilter,
} from "./expressions.ts";

const PAGE_BYTES = 1024 * 1024;
const CHUNK = 256;
/** Key conditions a Query may name: a global index key has up to 4 + 4 attributes. */
const MAX_KEY_CONDITIONS = 8;

interface KeyCond {
  op: "EQ" | "LT" | "LE" | "GT" | "GE" | "BETWEEN" | "BEGINS_WITH";
  values: AttributeValue[];
}

/** KeyConditionExpression -> per-attribute conditions, with DynamoDB's messages. */
function keyConditionsFromExpression(c: Condition, ctx: ExprContext): Record<string, KeyCond> {
  const out: Record<string, KeyCond> = {};
  const visit = (e: Condition): void => {
    if (e.k === "or" || e.k === "not" || e.k === "in" || (e.k === "cmp" && e.op === "<>"))
      throw validationError(`Invalid operator used in KeyConditionExpression: ${e.k === "cmp" ? "<>" : e.k.toUpperCase()}`);
    if (e.k === "and") {
      visit(e.l);
      visit(e.r);
      return;
    }
    let operands: Operand[];
    let op: KeyCond["op"];
    if (e.k === "fn") {
      const name = e.call.name;
      if (name !== "begins_with") throw validationError(`Invalid operator used in KeyConditionExpression: ${name}`);
      if (e.call.args[0]!.k !== "path")
        throw validationError("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");
      operands = e.call.args;
      op = "BEGINS_WITH";
    } else if (e.k === "between") {
      if (e.x.k !== "path")
        throw validationError("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
      operands = [e.x, e.lo, e.hi];
      op = "BETWEEN";
    } else {
      const cmp = e as Extract<Condition, { k: "cmp" }>;
      operands = [cmp.l, cmp.r];
      op = ({ "=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE" } as const)[cmp.op as "="];
    }
    if (operands.some((o) => o.k === "call" || o.k === "arith")) throw validationError("KeyConditionExpressions cannot contain nested operations");
    const paths = operands.map((o, i) => [o, i] as const).filter(([o]) => o.k === "path");
    if (paths.length > 1) throw validationError("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    if (!paths.length) throw validationError("Invalid condition in KeyConditionExpression: No key attribute specified");
    const [pathNode, at] = paths[0]!;
    const path = ctx.resolvePath(pathNode as never);
    if (path.length > 1) throw validationError("KeyConditionExpressions cannot have conditions on nested attributes");
    const name = path[0] as string;
    if (out[name]) throw validationError("KeyConditionExpressions must only contain one condition per key");
    if (at !== 0) {
      const flip = { EQ: "EQ", LT: "GT", LE: "GE", GT: "LT", GE: "LE" } as const;
      op = flip[op as keyof typeof flip];
    }
    const values = operands.filter((o) => o.k === "value").map((o) => ctx.value((o as { ref: string }).ref));
    out[name] = { op, values };
  };
  visit(c);
  return out;
}

function checkStartKeyValues(data: Input): void {
  const esk = data.ExclusiveStartKey as Item | undefined;
  for (const k in esk ?? {}) {
    const msg = checkAttributeValue(esk![k] as Record<string, unknown>);
    if (msg) {
      const bare = /contains duplicates|number set|numeric value|significant digits|number with magnitude/.test(msg);
      throw validationError(bare ? msg : `The provided starting key is invalid: ${msg}`);
    }
  }
}

function selectChecks(data: Input, hasProjection: boolean, index: IndexRecord | undefined): void {
  const select = data.Select as string | undefined;
  if (data.AttributesToGet && select && select !== "SPECIFIC_ATTRIBUTES")
    throw validationError(`Cannot specify the AttributesToGet when choosing to get ${select}`);
  if (data.ProjectionExpression && select && select !== "SPECIFIC_ATTRIBUTES")
    throw validationError(`Cannot specify the ProjectionExpression when choosing to get ${select}`);
  if (select === "SPECIFIC_ATTRIBUTES" && !hasProjection)
    throw validationError("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
  if (select === "ALL_PROJECTED_ATTRIBUTES" && !index)
    throw validationError("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  if (select === "ALL_ATTRIBUTES" && index?.global && index.projection.ProjectionType !== "ALL")
    throw validationError(
      `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.name} because its projection type is not ALL`,
    );
}

/**
 * A global index cannot reach back to the table, so asking it for an attribute it does not
 * store is refused, naming each top-level attribute once (a nested path counts as its top).
 * A local index fetches such attributes from the table instead (see `finish`).
 */
function projectionChecks(src: Source, projection: ResolvedPath[] | undefined): void {
  if (!src.index?.global || !projection) return;
  const kept = projectedNames(src.table, src.index);
  if (!kept) return;
  const missing = [...new Set(projection.map((p) => p[0] as string))].filter((a) => !kept.has(a));
  if (missing.length)
    throw validationError(`One or more parameter values were invalid: Global secondary index ${src.index.name} does not project [${missing.join(", ")}]`);
}

function filterPaths(c: Condition | undefined, ctx: ExprContext, out: ResolvedPath[] = []): ResolvedPath[] {
  if (!c) return out;
  const op = (o: Operand): void => {
    if (o.k === "path") out.push(ctx.resolvePath(o));
    else if (o.k === "call") o.args.forEach(op);
  };
  switch (c.k) {
    case "and":
    case "or":
      filterPaths(c.l, ctx, out);
      filterPaths(c.r, ctx, out);
      break;
    case "not":
      filterPaths(c.c, ctx, out);
      break;
    case "cmp":
      op(c.l);
      op(c.r);
      break;
    case "between":
      [c.x, c.lo, c.hi].forEach(op);
      break;
    case "in":
      [c.x, ...c.list].forEach(op);
      break;
    case "fn":
      op(c.call);
      break;
  }
  return out;
}

interface Source {
  table: TableRecord;
  index?: IndexRecord;
  /** Partition and sort key attributes, in key-schema order (several only on a global index). */
  schema: { hash: string[]; range: string[] };
}

function sourceOf(table: TableRecord, indexName: unknown): Source {
  const schemaOf = (ks: TableRecord["keySchema"]) => ({ hash: hashKeyNames(ks), range: rangeKeyNames(ks) });
  if (indexName === undefined) return { table, schema: schemaOf(table.keySchema) };
  const index = findIndex(table, indexName as string);
  if (!index || index.status === "DELETING") throw validationError(`The table does not have the specified index: ${indexName}`);
  return { table, index, schema: schemaOf(index.keySchema) };
}

/** Names making up LastEvaluatedKey / ExclusiveStartKey for the source. */
function pageKeyNames(src: Source): string[] {
  const names = src.index ? src.index.keySchema.map((k) => k.AttributeName) : [];
  for (const n of tableKeyNames(src.table)) if (!names.includes(n)) names.push(n);
  return names;
}

function startKeyBytes(src: Source, esk: Item): Uint8Array {
  const names = pageKeyNames(src);
  const bad =
    Object.keys(esk).length !== names.length ||
    names.some((n) => !esk[n] || typeOf(esk[n]!) !== attrType(src.table, n));
  if (bad) throw validationError("The provided starting key is invalid: The provided key element does not match the schema");
  if (!src.index) return storageKey(src.table, esk);
  const k = indexEntry(src.table, src.index, esk);
  if (!k) throw validationError("The provided starting key is invalid: The provided key element does not match the schema");
  return k;
}

function lastKey(src: Source, item: Item): Item {
  const out: Item = {};
  for (const n of pageKeyNames(src)) out[n] = item[n]!;
  return out;
}

interface PageResult {
  items: Item[];
  scanned: number;
  bytes: number;
  last?: Item;
}

/** Read one page over [start,end): stops at Limit items read or 1 MB read. */
async function readPage(
  ctx: OpContext,
  src: Source,
  range: { start: Uint8Array; end: Uint8Array },
  opts: { reverse: boolean; limit?: number; consistent: boolean; filter?: (i: Item) => boolean },
): Promise<PageResult> {
  const res: PageResult = { items: [], scanned: 0, bytes: 0 };
  let { start, end } = range;
  const consistency = opts.consistent ? "linearizable" : "serializable";
  for (;;) {
    const want = opts.limit === undefined ? CHUNK : Math.min(CHUNK, opts.limit - res.scanned);
    const page = await ctx.store.scan({ start, end, limit: want, reverse: opts.reverse, signal: ctx.signal, consistency });
    for (const kv of page.kvs) {
      const item = decodeJson<Item>(kv.value);
      res.scanned++;
      res.bytes += itemSize(item);
      if (!opts.filter || opts.filter(item)) res.items.push(item);
      const full = (opts.limit !== undefined && res.scanned >= opts.limit) || res.bytes >= PAGE_BYTES;
      if (full) {
        res.last = lastKey(src, item);
        return res;
      }
    }
    if (!page.more || page.kvs.length === 0) return res;
    const lastK = page.kvs[page.kvs.length - 1]!.key;
    if (opts.reverse) end = lastK;
    else start = keyAfter(lastK);
  }
}

async function finish(
  ctx: OpContext,
  data: Input,
  src: Source,
  page: PageResult,
  projection: ResolvedPath[] | undefined,
  consistent: boolean,
): Promise<Output> {
  const out: Output = {};
  if (data.Select === "COUNT") {
    out.Count = page.items.length;
    out.ScannedCount = page.scanned;
  } else {
    let items = page.items;
    // An LSI that does not project everything fetches the rest from the table.
    if (src.index && !src.index.global && src.index.projection.ProjectionType !== "ALL" && (data.Select === "ALL_ATTRIBUTES" || (projection && projection.length))) {
      items = await Promise.all(
        items.map(async (i) => {
          const kv = await ctx.store.get(storageKey(src.table, i), { signal: ctx.signal, consistency: consistent ? "linearizable" : "serializable" });
          return kv ? decodeJson<Item>(kv.value) : i;
        }),
      );
    }
    out.Items = projection ? items.map((i) => project(i, projection)) : items;
    out.Count = page.items.length;
    out.ScannedCount = page.scanned;
  }
  if (page.last) out.LastEvaluatedKey = page.last;
  const c = newCapacity();
  const units = readUnits(page.bytes, consistent);
  if (src.index) (src.index.global ? c.gsi : c.lsi)[src.index.name] = units;
  else c.table = units;
  const cc = consumedCapacity(data.ReturnConsumedCapacity, src.table.name, c);
  if (cc) out.ConsumedCapacity = cc;
  return out;
}

function rangeFor(prefix: TupleElement[], cond: KeyCond | undefined): { start: Uint8Array; end: Uint8Array } {
  const whole = tupleRange(prefix);
  if (!cond) return whole;
  const at = (v: AttributeValue) => encodeTuple([...prefix, keyElement(v)]);
  const after = (v: AttributeValue) => tupleRange([...prefix, keyElement(v)]).end;
  const [a, b] = cond.values;
  switch (cond.op) {
    case "EQ":
      return tupleRange([...prefix, keyElement(a!)]);
    case "LT":
      return { start: whole.start, end: at(a!) };
    case "LE":
      return { start: whole.start, end: after(a!) };
    case "GT":
      return { start: after(a!), end: whole.end };
    case "GE":
      return { start: at(a!), end: whole.end };
    case "BETWEEN":
      return { start: at(a!), end: after(b!) };
    case "BEGINS_WITH": {
      const full = at(a!);
      const stem = full.subarray(0, full.length - 1); // drop the element terminator
      return { start: stem, end: prefixEnd(stem) };
    }
  }
}

/** A legacy QueryFilter / ScanFilter as a predicate over items. */
function legacyFilterFn(conditions: unknown, operator: unknown): (i: Item) => boolean {
  const b = new LegacyBuilder();
  const f = legacyFilter(conditions as never, operator as never, b)!;
  const ectx = b.context();
  return (i) => evaluate(f, i, ectx);
}

/**
 * The table or index a Query or Scan reads, after the checks both make once the table is
 * known, in DynamoDB's order: Select against the projection and index, then a consistent
 * read of a global index, then the attributes asked of a global index, then an index still
 * being backfilled.
 */
async function readSource(ctx: OpContext, data: Input, projection: ResolvedPath[] | undefined): Promise<{ src: Source; consistent: boolean }> {
  const consistent = data.ConsistentRead === true;
  const table = await requireTable(ctx, data.TableName as string, consistent ? "linearizable" : "serializable");
  const src = sourceOf(table, data.IndexName);
  selectChecks(data, !!projection, src.index);
  if (consistent && src.index?.global) throw validationError("Consistent reads are not supported on global secondary indexes");
  projectionChecks(src, projection);
  // An index UpdateTable is still filling would answer with part of its items: DynamoDB
  // refuses the read instead, as users of a new index see it ("Cannot read from backfilling
  // global secondary index: <name>", ValidationException, quoted by applications that fall
  // back to a Scan while it lasts).
  if (src.index?.backfilling) throw validationError(`Cannot read from backfilling global secondary index: ${src.index.name}`);
  return { src, consistent };
}

/**
 * Checks the key conditions against the source's key, in DynamoDB's order, and returns how
 * to read: the sort key values fixed by equality (a prefix, in key-schema order) and the
 * condition on the next sort attribute, if any. Every partition attribute needs an
 * equality; sort attributes are conditioned left to right without a gap, only the last one
 * named by other than an equality. A single partition attribute keeps DynamoDB's older
 * messages for it ("missed key schema element", "key condition not supported").
 */
function keyConditionPlan(src: Source, keyConds: Record<string, KeyCond>): { equal: AttributeValue[]; last?: KeyCond } {
  const { hash, range } = src.schema;
  const keys = [...hash, ...range];
  if (keys.length <= 2 && Object.keys(keyConds).length > 2) throw validationError("Conditions can be of length 1 or 2 only");
  for (const [name, c] of Object.entries(keyConds)) {
    if (!keys.includes(name)) {
      const missing = keys.find((k) => !keyConds[k]) ?? hash[0];
      throw validationError(`Query condition missed key schema element: ${missing}`);
    }
    if (!["EQ", "LT", "LE", "GT", "GE", "BETWEEN", "BEGINS_WITH"].includes(c.op)) throw validationError("Query key condition not supported");
    const want = attrType(src.table, name);
    if (c.values.some((v) => typeOf(v) !== want))
      throw validationError("One or more parameter values were invalid: Condition parameter type does not match schema type");
    if (c.op === "BEGINS_WITH" && want === "N")
      throw validationError(`One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type`);
  }
  const unequal = (names: string[]) => names.filter((k) => keyConds[k]?.op !== "EQ");
  if (hash.length === 1) {
    const hc = keyConds[hash[0]!];
    if (!hc) throw validationError(`Query condition missed key schema element: ${hash[0]}`);
    if (hc.op !== "EQ") throw validationError("Query key condition not supported");
  } else {
    const bad = unequal(hash);
    if (bad.length) throw validationError(`HASH key attributes ${bad.join(", ")} must have equality conditions specified in the query`);
  }
  let at = range.length - 1;
  while (at >= 0 && !keyConds[range[at]!]) at--;
  if (at < 0) return { equal: [] };
  const bad = unequal(range.slice(0, at));
  if (bad.length)
    throw validationError(
      `RANGE key attributes ${bad.join(", ")} must have equality conditions specified in the query because a condition is present on key attribute ${range[at]}`,
    );
  const last = keyConds[range[at]!]!;
  if (last.op === "BETWEEN" && (compareScalar(last.values[0]!, last.values[1]!) ?? 0) > 0)
    throw validationError(
      `Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {${typeOf(last.values[0]!)}:${Object.values(last.values[0]!)[0]}}, upper bound operand: AttributeValue: {${typeOf(last.values[1]!)}:${Object.values(last.values[1]!)[0]}}`,
    );
  return { equal: range.slice(0, at).map((k) => keyConds[k]!.values[0]!), last };
}

export async function query(ctx: OpContext, data: Input): Promise<Output> {
  const msg = expressionParamsError(
    data,
    ["ProjectionExpression", "FilterExpression", "KeyConditionExpression"],
    ["AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"],
  ) ?? conditionalOperatorError(data, "QueryFilter");
  if (msg) throw validationError(msg);
  checkConditions(data.QueryFilter as never);
  duplicateAttributesToGet(data);
  checkStartKeyValues(data);
  if (data.KeyConditions == null && data.KeyConditionExpression == null)
    throw validationError("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  const bound = bindExpressions(data);
  let keyConds: Record<string, KeyCond>;
  if (bound.keyCondition) keyConds = keyConditionsFromExpression(bound.keyCondition, bound.ctx);
  else {
    const legacy = data.KeyConditions as Record<string, { ComparisonOperator: string; AttributeValueList?: AttributeValue[] }>;
    checkConditions(legacy);
    keyConds = {};
    for (const [k, c] of Object.entries(legacy)) keyConds[k] = { op: c.ComparisonOperator as KeyCond["op"], values: c.AttributeValueList ?? [] };
  }
  const n = Object.keys(keyConds).length;
  if (n < 1 || n > MAX_KEY_CONDITIONS) throw validationError("Conditions can be of length 1 or 2 only");
  const projection = bound.projection ?? attributesToGetPaths(data);
  const { src, consistent } = await readSource(ctx, data, projection);
  const table = src.table;
  const { hash, range } = src.schema;
  const key = keyConditionPlan(src, keyConds);
  let filter: ((i: Item) => boolean) | undefined;
  if (bound.filter) {
    const keys = [...hash, ...range];
    for (const p of filterPaths(bound.filter, bound.ctx))
      if (keys.includes(p[0] as string))
        throw validationError(`Filter Expression can only contain non-primary key attributes: Primary key attribute: ${p[0]}`);
    const f = bound.filter;
    filter = (i) => evaluate(f, i, bound.ctx);
  } else if (data.QueryFilter) {
    filter = legacyFilterFn(data.QueryFilter, data.ConditionalOperator);
  }
  const partition = hash.map((k) => keyConds[k]!.values[0]!);
  const prefix = src.index ? indexPartitionPrefix(table.id, indexStorageId(src.index), partition) : partitionPrefix(table.id, partition[0]!);
  for (const v of key.equal) prefix.push(keyElement(v));
  let r = rangeFor(prefix, key.last);
  const reverse = data.ScanIndexForward === false;
  if (data.ExclusiveStartKey) {
    const esk = data.ExclusiveStartKey as Item;
    const k = startKeyBytes(src, esk);
    if (hash.some((h, i) => !esk[h] || compareScalar(esk[h]!, partition[i]!) !== 0))
      throw validationError("The provided starting key is outside query boundaries based on provided conditions");
    r = reverse ? { start: r.start, end: k } : { start: keyAfter(k), end: r.end };
  }
  const page = await readPage(ctx, src, r, { reverse, limit: data.Limit as number | undefined, consistent, filter });
  return finish(ctx, data, src, page, projection, consistent);
}

export async function scan(ctx: OpContext, data: Input): Promise<Output> {
  const msg =
    expressionParamsError(data, ["ProjectionExpression", "FilterExpression"], ["AttributesToGet", "ScanFilter", "ConditionalOperator"]) ??
    conditionalOperatorError(data, "ScanFilter");
  if (msg) throw validationError(msg);
  duplicateAttributesToGet(data);
  checkConditions(data.ScanFilter as never);
  checkStartKeyValues(data);
  const segment = data.Segment as number | undefined;
  const total = data.TotalSegments as number | undefined;
  if (segment !== undefined && total === undefined)
    throw validationError("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  if (total !== undefined) {
    if (segment === undefined)
      throw validationError("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
    if (segment >= total)
      throw validationError(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`);
  }
  const bound = bindExpressions(data);
  const projection = bound.projection ?? attributesToGetPaths(data);
  const { src, consistent } = await readSource(ctx, data, projection);
  const table = src.table;
  let filter: ((i: Item) => boolean) | undefined;
  if (bound.filter) {
    const f = bound.filter;
    filter = (i) => evaluate(f, i, bound.ctx);
  } else if (data.ScanFilter) {
    filter = legacyFilterFn(data.ScanFilter, data.ConditionalOperator);
  }
  const seg = segment ?? 0;
  const of = total ?? 1;
  const from = Math.floor((seg * HASH_SPACE) / of);
  const to = Math.floor(((seg + 1) * HASH_SPACE) / of);
  let r = src.index ? indexHashRange(table.id, indexStorageId(src.index), from, to) : itemsHashRange(table.id, from, to);
  if (data.ExclusiveStartKey) {
    const esk = data.ExclusiveStartKey as Item;
    const k = startKeyBytes(src, esk);
    const h = indexPartitionHash(src.schema.hash.map((k) => esk[k]!));
    if (total !== undefined && (h < from || h >= to))
      throw validationError("The provided Exclusive start key does not map to the provided Segment and TotalSegments values.");
    r = { start: keyAfter(k), end: r.end };
  }
  const page = await readPage(ctx, src, r, { reverse: false, limit: data.Limit as number | undefined, consistent, filter });
  return finish(ctx, data, src, page, projection, consistent);
}
