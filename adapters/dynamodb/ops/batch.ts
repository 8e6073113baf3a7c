// BatchGetItem and BatchWriteItem. Each write is its own transaction (a batch is not
// atomic in DynamoDB either), so unrelated items never contend; a write that keeps
// conflicting comes back in UnprocessedItems for the client to retry.

import { errorReason } from "../../../kvclient/errors.ts";
import { project } from "../expr/evaluate.ts";
import type { ResolvedPath } from "../expr/bind.ts";
import { decodeJson } from "../keyspace.ts";
import { readItem, writeItem } from "../storage/items.ts";
import { indexKeyError, storageKey, type TableRecord } from "../storage/table.ts";
import { itemSize, MAX_ITEM_BYTES, type Item } from "../types/attribute-value.ts";
import { itemCollectionSizeLimitExceeded, resourceNotFound, validationError } from "../wire/errors.ts";
import { addIndexWrites, consumedCapacity, newCapacity, readUnits, writeUnits, type Capacity } from "./capacity.ts";
import { requireTable, txnTable, withItemLocks, type Input, type OpContext, type Output } from "./context.ts";
import { collectionMetrics, hasLocalIndex, trackCollection } from "../storage/collections.ts";
import { attributesToGetPaths, bindExpressions, checkItemValues, duplicateAttributesToGet, expressionParamsError } from "./expressions.ts";
import { checkItemKey, checkKey, emptyKeyValueError, itemKeyTypeError, keyOf } from "./keys.ts";

const MAX_GET_BYTES = 16 * 1024 * 1024;
const PARALLEL = 8;

function keyString(table: TableRecord, key: Item): string {
  return Buffer.from(storageKey(table, key)).toString("base64");
}

async function inParallel<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

interface KeysAndAttributes {
  Keys: Item[];
  ConsistentRead?: boolean;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  AttributesToGet?: string[];
}

export async function batchGetItem(ctx: OpContext, data: Input): Promise<Output> {
  const request = data.RequestItems as Record<string, KeysAndAttributes>;
  if (!Object.keys(request).length) throw validationError("The requestItems parameter is required for BatchGetItem");
  const projections: Record<string, ResolvedPath[] | undefined> = {};
  let total = 0;
  for (const [name, t] of Object.entries(request)) {
    const msg = expressionParamsError(t as unknown as Input, ["ProjectionExpression"], ["AttributesToGet"]);
    if (msg) throw validationError(msg);
    duplicateAttributesToGet(t as unknown as Input);
    const bound = bindExpressions(t as unknown as Input);
    projections[name] = bound.projection ?? attributesToGetPaths(t as unknown as Input);
    const seen = new Set<string>();
    for (const key of t.Keys) {
      checkItemValues(key);
      const ks = JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));
      if (seen.has(ks)) throw validationError("Provided list of item keys contains duplicates");
      seen.add(ks);
      if (++total > 100) throw validationError("Too many items requested for the BatchGetItem call");
    }
  }
  const tables: Record<string, TableRecord> = {};
  for (const [name, t] of Object.entries(request)) {
    const table = await requireTable(ctx, name, t.ConsistentRead ? "linearizable" : "serializable");
    for (const key of t.Keys) checkKey(table, key);
    tables[name] = table;
  }
  const responses: Record<string, Item[]> = {};
  const unprocessed: Record<string, KeysAndAttributes> = {};
  const capacity: Record<string, Capacity> = {};
  let bytes = 0;
  const jobs = Object.entries(request).flatMap(([name, t]) => t.Keys.map((key) => ({ name, t, key })));
  await inParallel(jobs, PARALLEL, async ({ name, t, key }) => {
    if (bytes >= MAX_GET_BYTES) {
      const u = (unprocessed[name] ??= { ...t, Keys: [] });
      u.Keys.push(key);
      return;
    }
    const table = tables[name]!;
    const kv = await ctx.store.get(storageKey(table, key), {
      signal: ctx.signal,
      consistency: t.ConsistentRead ? "linearizable" : "serializable",
    });
    const c = (capacity[name] ??= newCapacity());
    responses[name] ??= [];
    if (!kv) {
      c.table += readUnits(0, !!t.ConsistentRead);
      return;
    }
    const item = decodeJson<Item>(kv.value);
    const size = itemSize(item);
    bytes += size;
    c.table += readUnits(size, !!t.ConsistentRead);
    const paths = projections[name];
    responses[name]!.push(paths ? project(item, paths) : item);
  });
  for (const name of Object.keys(request)) responses[name] ??= [];
  const out: Output = { Responses: responses, UnprocessedKeys: unprocessed };
  if (data.ReturnConsumedCapacity === "TOTAL" || data.ReturnConsumedCapacity === "INDEXES")
    out.ConsumedCapacity = Object.entries(capacity).map(([name, c]) => consumedCapacity(data.ReturnConsumedCapacity, name, c));
  return out;
}

interface WriteRequest {
  PutRequest?: { Item: Item };
  DeleteRequest?: { Key: Item };
}

export async function batchWriteItem(ctx: OpContext, data: Input): Promise<Output> {
  const request = data.RequestItems as Record<string, WriteRequest[]>;
  if (!Object.keys(request).length) throw validationError("The requestItems parameter is required for BatchWriteItem");
  let total = 0;
  for (const reqs of Object.values(request)) {
    for (const r of reqs) {
      const n = (r.PutRequest ? 1 : 0) + (r.DeleteRequest ? 1 : 0);
      if (n !== 1)
        throw validationError("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
      if (r.PutRequest) {
        checkItemValues(r.PutRequest.Item);
        if (itemSize(r.PutRequest.Item) > MAX_ITEM_BYTES) throw validationError("Item size has exceeded the maximum allowed size");
      } else checkItemValues(r.DeleteRequest!.Key);
      total++;
    }
  }
  if (total > 25) throw validationError("Too many items requested for the BatchWriteItem call");
  const tables: Record<string, TableRecord> = {};
  for (const [name, reqs] of Object.entries(request)) {
    const table = await requireTable(ctx, name);
    const seen = new Set<string>();
    for (const r of reqs) {
      let key: Item;
      if (r.PutRequest) {
        // BatchWriteItem words a missing or mistyped item key like a bad Key parameter.
        const empty = emptyKeyValueError(table, r.PutRequest.Item);
        if (empty) throw validationError(empty);
        if (itemKeyTypeError(table, r.PutRequest.Item)) throw validationError("The provided key element does not match the schema");
        checkItemKey(table, r.PutRequest.Item);
        const idx = indexKeyError(table, r.PutRequest.Item);
        if (idx) throw validationError(idx);
        key = keyOf(table, r.PutRequest.Item);
      } else {
        key = r.DeleteRequest!.Key;
        checkKey(table, key);
      }
      const ks = keyString(table, key);
      if (seen.has(ks)) throw validationError("Provided list of item keys contains duplicates");
      seen.add(ks);
    }
    tables[name] = table;
  }
  const unprocessed: Record<string, WriteRequest[]> = {};
  const capacity: Record<string, Capacity> = {};
  const metrics: Record<string, unknown[]> = {};
  const jobs = Object.entries(request).flatMap(([name, reqs]) => reqs.map((r) => ({ name, r })));
  let failures = 0;
  let lastError: unknown;
  await inParallel(jobs, PARALLEL, async ({ name, r }) => {
    const table0 = tables[name]!;
    const next = r.PutRequest?.Item;
    const key = next ? keyOf(table0, next) : r.DeleteRequest!.Key;
    try {
      const res = await withItemLocks(ctx, [[name, key]], () => ctx.store.transact(
        async (txn) => {
          const t = await txnTable(txn, name);
          if (!t) return undefined;
          const old = await readItem(txn, t, key);
          if (next && indexKeyError(t, next)) return { old, writes: [], invalid: indexKeyError(t, next) };
          const k = storageKey(t, key);
          const coll = old || next ? await trackCollection(ctx, txn, t, key, k, old, next) : undefined;
          if (coll?.exceeded) return { old, writes: [], invalid: undefined, exceeded: true };
          return { old, writes: old || next ? writeItem(txn, t, key, old, next, k) : [], invalid: undefined, collection: coll?.size };
        },
        { signal: ctx.signal, family: "ddb.item" },
      ));
      if (!res) throw resourceNotFound();
      if (res.invalid) throw validationError(res.invalid);
      if (res.exceeded) throw itemCollectionSizeLimitExceeded();
      const c = (capacity[name] ??= newCapacity());
      c.table += writeUnits(Math.max(res.old ? itemSize(res.old) : 0, next ? itemSize(next) : 0));
      addIndexWrites(c, res.writes);
      if (data.ReturnItemCollectionMetrics === "SIZE" && hasLocalIndex(table0))
        (metrics[name] ??= []).push(collectionMetrics(table0, key, res.collection ?? 0));
    } catch (err) {
      const reason = errorReason(err);
      if (reason === "other") throw err;
      failures++;
      lastError = err;
      (unprocessed[name] ??= []).push(r);
    }
  });
  if (failures === jobs.length && lastError) throw lastError;
  const out: Output = { UnprocessedItems: unprocessed };
  if (data.ReturnConsumedCapacity === "TOTAL" || data.ReturnConsumedCapacity === "INDEXES")
    out.ConsumedCapacity = Object.entries(capacity).map(([name, c]) => consumedCapacity(data.ReturnConsumedCapacity, name, c));
  if (data.ReturnItemCollectionMetrics === "SIZE") out.ItemCollectionMetrics = metrics;
  return out;
}
