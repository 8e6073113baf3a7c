// PutItem, GetItem, UpdateItem, DeleteItem: validate, then one transaction over the item
// and its index entries.

import { evaluate, applyUpdate, EvalError, project } from "../expr/evaluate.ts";
import type { Condition } from "../expr/ast.ts";
import type { ExprContext, ResolvedPath } from "../expr/bind.ts";
import { decodeJson } from "../keyspace.ts";
import { readItem, writeItem, type IndexWrite } from "../storage/items.ts";
import { attrType, indexKeyError, storageKey, updatedIndexKeyError, type TableRecord } from "../storage/table.ts";
import { checkAttributeValue, itemSize, MAX_ITEM_BYTES, typeOf, valueOf, type AttributeValue, type Item } from "../types/attribute-value.ts";
import { addDec, formatDec, numberRangeError, parseDec } from "../types/number.ts";
import { conditionalCheckFailed, DdbError, itemCollectionSizeLimitExceeded, resourceNotFound, validationError } from "../wire/errors.ts";
import type { Txn } from "../../../kvclient/store.ts";
import { addIndexWrites, consumedCapacity, newCapacity, readUnits, writeUnits } from "./capacity.ts";
import { cachedTable, rawOutput, requireTable, txnTable, withItemLocks, type Input, type OpContext, type Output } from "./context.ts";
import { collectionMetrics, hasLocalIndex, trackCollection } from "../storage/collections.ts";
import { compareBytes } from "../../../kvclient/tuple.ts";
import {
  attributesToGetPaths,
  bindExpressions,
  checkItemValues,
  conditionalOperatorError,
  duplicateAttributesToGet,
  expectedCondition,
  expressionParamsError,
  LegacyBuilder,
} from "./expressions.ts";
import { checkItemKey, checkKey, keyOf } from "./keys.ts";

/** GetItem's answer around a stored item's JSON: `{"Item":` … `}`. */
const ITEM_OPEN = Buffer.from('{"Item":');
const CLOSE = Buffer.from("}");

type Outcome =
  | { kind: "missing" }
  | { kind: "error"; error: DdbError }
  | { kind: "failed"; old?: Item }
  | { kind: "invalid"; message: string }
  | { kind: "done"; old?: Item; next?: Item; writes: IndexWrite[]; paths?: ResolvedPath[]; collection?: number };

function itemCollectionMetrics(data: Input, table: TableRecord, key: Item, size: number | undefined): Output {
  if (data.ReturnItemCollectionMetrics !== "SIZE" || !hasLocalIndex(table)) return {};
  return { ItemCollectionMetrics: collectionMetrics(table, key, size ?? 0) };
}

function capacityFor(data: Input, table: TableRecord, old: Item | undefined, next: Item | undefined, writes: IndexWrite[]): Output {
  if (data.ReturnConsumedCapacity !== "TOTAL" && data.ReturnConsumedCapacity !== "INDEXES") return {};
  const c = newCapacity();
  c.table = writeUnits(Math.max(old ? itemSize(old) : 0, next ? itemSize(next) : 0));
  addIndexWrites(c, writes);
  const cc = consumedCapacity(data.ReturnConsumedCapacity, table.name, c);
  return cc ? { ConsumedCapacity: cc } : {};
}

/** Condition from ConditionExpression or the legacy Expected map, with its context. */
function conditionOf(data: Input, bound: { condition?: Condition; ctx: ExprContext }): { cond?: Condition; ctx: ExprContext } {
  if (bound.condition) return { cond: bound.condition, ctx: bound.ctx };
  const b = new LegacyBuilder();
  const cond = expectedCondition(data, b);
  return cond ? { cond, ctx: b.context() } : { ctx: bound.ctx };
}

function failure(data: Input, old: Item | undefined): never {
  throw conditionalCheckFailed(data.ReturnValuesOnConditionCheckFailure === "ALL_OLD" && old ? old : undefined);
}

/**
 * One transaction over the table record, the item and its index entries. Schema checks run
 * inside, against the same table record the write commits over; their errors come back as
 * outcomes (business results are not store failures) and are thrown here.
 */
/**
 * The item's storage key under a possibly stale schema, when the request carries a
 * well-typed key for it (used only to start the item read early).
 */
function speculativeKey(t: TableRecord | undefined, item: Item): Uint8Array | undefined {
  if (!t) return undefined;
  for (const k of t.keySchema) {
    const v = item[k.AttributeName];
    if (!v || typeOf(v) !== attrType(t, k.AttributeName)) return undefined;
  }
  return storageKey(t, item);
}

/** Whether `a` and `b` hold the very same key attribute values for `t`'s schema. */
function sameKeyValues(t: TableRecord, a: Item, b: Item): boolean {
  for (const k of t.keySchema) if (a[k.AttributeName] !== b[k.AttributeName]) return false;
  return true;
}

async function runItemTxn(
  ctx: OpContext,
  name: string,
  lockOn: Item,
  body: (t: TableRecord, txn: Txn, readOld: (key: Item) => Promise<Item | undefined>, keyBytes: (key: Item) => Uint8Array) => Promise<Outcome>,
): Promise<Outcome & { table?: TableRecord }> {
  let table: TableRecord | undefined;
  const out = await withItemLocks(ctx, [[name, lockOn]], () => ctx.store.transact(
    async (txn) => {
      // Read the item alongside the table record (one round trip instead of two on etcd),
      // keyed by the schema this process saw last; if the schema moved, read again.
      const guessTable = cachedTable(name);
      const guessKey = speculativeKey(guessTable, lockOn);
      const early = guessKey ? txn.get(guessKey) : undefined;
      early?.catch(() => undefined);
      table = await txnTable(txn, name);
      if (!table) return { kind: "missing" } as Outcome;
      const t = table;
      // The same decoded record means the same schema: the guessed key is the key.
      const keyBytes = (key: Item): Uint8Array =>
        guessKey && t === guessTable && sameKeyValues(t, key, lockOn) ? guessKey : storageKey(t, key);
      const readOld = async (key: Item): Promise<Item | undefined> => {
        const k = keyBytes(key);
        if (early && guessKey && (k === guessKey || compareBytes(guessKey, k) === 0)) {
          const v = await early;
          return v ? decodeJson<Item>(v) : undefined;
        }
        return readItem(txn, t, key);
      };
      try {
        return await body(table, txn, readOld, keyBytes);
      } catch (e) {
        if (e instanceof DdbError) return { kind: "error", error: e } as Outcome;
        throw e;
      }
    },
    { signal: ctx.signal, family: "ddb.item" },
  ));
  if (out.kind === "missing") throw resourceNotFound();
  if (out.kind === "error") throw out.error;
  if (out.kind === "invalid") throw validationError(out.message);
  return { ...out, table };
}

export async function putItem(ctx: OpContext, data: Input): Promise<Output> {
  const msg = expressionParamsError(data, ["ConditionExpression"], ["Expected", "ConditionalOperator"]) ?? conditionalOperatorError(data, "Expected");
  if (msg) throw validationError(msg);
  const item = data.Item as Item;
  checkItemValues(item);
  if (data.ReturnValues && data.ReturnValues !== "ALL_OLD" && data.ReturnValues !== "NONE")
    throw validationError("ReturnValues can only be ALL_OLD or NONE");
  if (itemSize(item) > MAX_ITEM_BYTES) throw validationError("Item size has exceeded the maximum allowed size");
  const legacyOnly = new LegacyBuilder();
  expectedCondition(data, legacyOnly);
  const bound = bindExpressions(data);
  const { cond, ctx: ectx } = conditionOf(data, bound);
  let key: Item = {};
  const out = await runItemTxn(ctx, data.TableName as string, item, async (t, txn, readOld, keyBytes) => {
    checkItemKey(t, item);
    key = keyOf(t, item);
    const old = await readOld(key);
    if (cond && !evaluate(cond, old, ectx)) return { kind: "failed", old };
    const idx = indexKeyError(t, item);
    if (idx) return { kind: "invalid", message: idx };
    const k = keyBytes(key);
    const coll = await trackCollection(ctx, txn, t, key, k, old, item);
    if (coll?.exceeded) return { kind: "error", error: itemCollectionSizeLimitExceeded() };
    return { kind: "done", old, next: item, writes: writeItem(txn, t, key, old, item, k), collection: coll?.size };
  });
  if (out.kind === "failed") failure(data, out.old);
  if (out.kind !== "done") throw new Error("unreachable");
  const res: Output = {};
  if (data.ReturnValues === "ALL_OLD" && out.old) res.Attributes = out.old;
  Object.assign(res, capacityFor(data, out.table!, out.old, out.next, out.writes), itemCollectionMetrics(data, out.table!, key, out.collection));
  return res;
}

export async function deleteItem(ctx: OpContext, data: Input): Promise<Output> {
  const msg = expressionParamsError(data, ["ConditionExpression"], ["Expected", "ConditionalOperator"]) ?? conditionalOperatorError(data, "Expected");
  if (msg) throw validationError(msg);
  const key = data.Key as Item;
  checkItemValues(key);
  const legacyOnly = new LegacyBuilder();
  expectedCondition(data, legacyOnly);
  const bound = bindExpressions(data);
  if (data.ReturnValues && data.ReturnValues !== "ALL_OLD" && data.ReturnValues !== "NONE")
    throw validationError("ReturnValues can only be ALL_OLD or NONE");
  const { cond, ctx: ectx } = conditionOf(data, bound);
  const out = await runItemTxn(ctx, data.TableName as string, key, async (t, txn, readOld, keyBytes) => {
    checkKey(t, key);
    const old = await readOld(key);
    if (cond && !evaluate(cond, old, ectx)) return { kind: "failed", old };
    if (!old) return { kind: "done", old, writes: [] };
    const k = keyBytes(key);
    const coll = await trackCollection(ctx, txn, t, key, k, old, undefined);
    return { kind: "done", old, writes: writeItem(txn, t, key, old, undefined, k), collection: coll?.size };
  });
  if (out.kind === "failed") failure(data, out.old);
  if (out.kind !== "done") throw new Error("unreachable");
  const res: Output = {};
  if (data.ReturnValues === "ALL_OLD" && out.old) res.Attributes = out.old;
  Object.assign(res, capacityFor(data, out.table!, out.old, undefined, out.writes), itemCollectionMetrics(data, out.table!, key, out.collection));
  return res;
}

export async function getItem(ctx: OpContext, data: Input): Promise<Output> {
  const msg = expressionParamsError(data, ["ProjectionExpression"], ["AttributesToGet"]);
  if (msg) throw validationError(msg);
  const key = data.Key as Item;
  checkItemValues(key);
  duplicateAttributesToGet(data);
  const bound = bindExpressions(data);
  const consistent = data.ConsistentRead === true;
  const consistency = consistent ? "linearizable" : "serializable";
  const table = await requireTable(ctx, data.TableName as string, consistency);
  checkKey(table, key);
  const kv = await ctx.store.get(storageKey(table, key), { signal: ctx.signal, consistency });
  const paths = bound.projection ?? attributesToGetPaths(data);
  // The common case: the stored JSON is the answer's Item as is, sent without a round trip
  // through objects (capacity, when asked for, needs the item's size, so it takes the long way).
  if (kv && !paths && (data.ReturnConsumedCapacity === undefined || data.ReturnConsumedCapacity === "NONE"))
    return rawOutput([ITEM_OPEN, kv.value, CLOSE]);
  const item = kv ? decodeJson<Item>(kv.value) : undefined;
  const res: Output = {};
  if (item) res.Item = paths ? project(item, paths) : item;
  const c = newCapacity();
  c.table = readUnits(item ? itemSize(item) : 0, consistent);
  const cc = consumedCapacity(data.ReturnConsumedCapacity, table.name, c);
  if (cc) res.ConsumedCapacity = cc;
  return res;
}

// ---- UpdateItem ----

interface AttributeUpdate {
  Action?: "PUT" | "ADD" | "DELETE";
  Value?: AttributeValue;
}

function checkAttributeUpdates(updates: Record<string, AttributeUpdate> | undefined): void {
  const invalid = "One or more parameter values were invalid: ";
  for (const key in updates ?? {}) {
    const u = updates![key]!;
    if (u.Value !== undefined) {
      const msg = checkAttributeValue(u.Value as Record<string, unknown>);
      if (msg) throw validationError(msg);
    }
    if (u.Value === undefined && u.Action !== "DELETE")
      throw validationError(`${invalid}Only DELETE action is allowed when no attribute value is specified`);
    if (u.Value !== undefined && u.Action === "DELETE" && !["SS", "NS", "BS"].includes(typeOf(u.Value)))
      throw validationError(`${invalid}DELETE action with value is not supported for the type ${typeOf(u.Value)}`);
    if (u.Value !== undefined && u.Action === "ADD" && !["L", "SS", "NS", "BS", "N"].includes(typeOf(u.Value)))
      throw validationError(`${invalid}ADD action is not supported for the type ${typeOf(u.Value)}`);
  }
}

function setKeyOf(t: string, s: string): string {
  return t === "NS" ? formatDec(parseDec(s)) : s;
}

function applyAttributeUpdates(updates: Record<string, AttributeUpdate>, old: Item): { item: Item; paths: ResolvedPath[] } {
  const item = structuredClone(old);
  const paths: ResolvedPath[] = [];
  for (const attr in updates) {
    const { Action = "PUT", Value } = updates[attr]!;
    paths.push([attr]);
    const cur = item[attr];
    if (Action === "PUT") item[attr] = Value!;
    else if (Action === "DELETE") {
      if (!Value) delete item[attr];
      else if (cur) {
        const t = typeOf(Value);
        if (typeOf(cur) !== t) throw new EvalError("Type mismatch for DELETE; operator type: " + t + ", existing type: " + typeOf(cur));
        const drop = new Set((valueOf(Value) as string[]).map((s) => setKeyOf(t, s)));
        const kept = (valueOf(cur) as string[]).filter((s) => !drop.has(setKeyOf(t, s)));
        if (kept.length) item[attr] = { [t]: kept } as AttributeValue;
        else delete item[attr];
      }
    } else {
      const v = Value!;
      const t = typeOf(v);
      if (!cur) item[attr] = v;
      else if (typeOf(cur) !== t) throw new EvalError("Type mismatch for attribute to update");
      else if (t === "N") {
        const sum = addDec(parseDec((cur as { N: string }).N), parseDec((v as { N: string }).N));
        const err = numberRangeError(sum);
        if (err) throw new EvalError(err);
        item[attr] = { N: formatDec(sum) };
      } else if (t === "L") item[attr] = { L: [...(cur as { L: AttributeValue[] }).L, ...(v as { L: AttributeValue[] }).L] };
      else {
        const existing = valueOf(cur) as string[];
        const keys = new Set(existing.map((s) => setKeyOf(t, s)));
        item[attr] = { [t]: [...existing, ...(valueOf(v) as string[]).filter((s) => !keys.has(setKeyOf(t, s)))] } as AttributeValue;
      }
    }
  }
  return { item, paths };
}

export async function updateItem(ctx: OpContext, data: Input): Promise<Output> {
  const msg =
    expressionParamsError(data, ["UpdateExpression", "ConditionExpression"], ["AttributeUpdates", "Expected", "ConditionalOperator"]) ??
    conditionalOperatorError(data, "Expected");
  if (msg) throw validationError(msg);
  const key = data.Key as Item;
  checkItemValues(key);
  const attributeUpdates = data.AttributeUpdates as Record<string, AttributeUpdate> | undefined;
  checkAttributeUpdates(attributeUpdates);
  const legacyOnly = new LegacyBuilder();
  expectedCondition(data, legacyOnly);
  const bound = bindExpressions(data);
  const { cond, ctx: ectx } = conditionOf(data, bound);
  const targets: ResolvedPath[] = bound.update
    ? bound.update.map((a) => bound.ctx.resolvePath(a.path))
    : Object.keys(attributeUpdates ?? {}).map((a) => [a]);
  const out = await runItemTxn(ctx, data.TableName as string, key, async (t, txn, readOld, keyBytes) => {
    checkKey(t, key);
    const keyNames = new Set(t.keySchema.map((k) => k.AttributeName));
    for (const p of targets)
      if (keyNames.has(p[0] as string))
        throw validationError(`One or more parameter values were invalid: Cannot update attribute ${p[0]}. This attribute is part of the key`);
    const old = await readOld(key);
    if (cond && !evaluate(cond, old, ectx)) return { kind: "failed", old };
    let next: Item;
    let paths: ResolvedPath[] = [];
    try {
      const base = old ?? structuredClone(key);
      if (bound.update) ({ item: next, paths } = applyUpdate(bound.update, base, bound.ctx));
      else if (attributeUpdates) ({ item: next, paths } = applyAttributeUpdates(attributeUpdates, base));
      else next = base;
    } catch (e) {
      if (e instanceof EvalError) return { kind: "invalid", message: e.message };
      throw e;
    }
    if (itemSize(next) > MAX_ITEM_BYTES) return { kind: "invalid", message: "Item size to update has exceeded the maximum allowed size" };
    const idx = bound.update ? updatedIndexKeyError(t, next) : indexKeyError(t, next);
    if (idx) return { kind: "invalid", message: idx };
    // A legacy update that removes everything but the key of a missing item writes nothing.
    if (!old && !bound.update && Object.keys(next).length === keyNames.size && attributeUpdates) {
      const onlyDeletes = Object.values(attributeUpdates).every((u) => u.Action === "DELETE");
      if (onlyDeletes) return { kind: "done", old, writes: [], paths };
    }
    const k = keyBytes(key);
    const coll = await trackCollection(ctx, txn, t, key, k, old, next);
    if (coll?.exceeded) return { kind: "error", error: itemCollectionSizeLimitExceeded() };
    return { kind: "done", old, next, writes: writeItem(txn, t, key, old, next, k), paths, collection: coll?.size };
  });
  if (out.kind === "failed") failure(data, out.old);
  if (out.kind !== "done") throw new Error("unreachable");
  const res: Output = {};
  const rv = data.ReturnValues;
  const paths = out.paths ?? [];
  if (rv === "ALL_OLD" && out.old) res.Attributes = out.old;
  else if (rv === "ALL_NEW" && out.next) res.Attributes = out.next;
  else if (rv === "UPDATED_OLD" && out.old) {
    const a = project(out.old, paths);
    if (Object.keys(a).length) res.Attributes = a;
  } else if (rv === "UPDATED_NEW" && out.next) {
    const a = project(out.next, paths);
    if (Object.keys(a).length) res.Attributes = a;
  }
  Object.assign(res, capacityFor(data, out.table!, out.old, out.next, out.writes), itemCollectionMetrics(data, out.table!, key, out.collection));
  return res;
}
