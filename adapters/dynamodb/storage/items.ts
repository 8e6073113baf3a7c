// Reading and writing one item with all its index entries inside a transaction.

import type { Txn } from "../../../kvclient/store.ts";
import { compareBytes } from "../../../kvclient/tuple.ts";
import { decodeJson, encodeJson } from "../keyspace.ts";
import type { Item } from "../types/attribute-value.ts";
import { itemSize, valuesEqual } from "../types/attribute-value.ts";
import { indexEntry, liveIndexes, projectForIndex, storageKey, ttlEntry, type TableRecord } from "./table.ts";

const EMPTY = new Uint8Array(0);

export async function readItem(txn: Txn, table: TableRecord, key: Item): Promise<Item | undefined> {
  const v = await txn.get(storageKey(table, key));
  return v ? decodeJson<Item>(v) : undefined;
}

export interface IndexWrite {
  index: string;
  global: boolean;
  size: number;
}

/**
 * Replace `old` with `next` (either may be absent) and keep every live index in step.
 * Returns the index writes DynamoDB charges for, for consumed-capacity accounting: one to
 * add or remove an entry, two (delete, then put) when the index key changes, one when only
 * projected attributes change, none when what the index stores is unchanged (an identical
 * overwrite, or an update of attributes the index does not project). Measured against AWS in
 * nubo-db/dynamodb-conformance tests/tier1/putItem/indexConsumedCapacity.test.ts; the
 * developer guide's "Provisioned throughput considerations for global secondary indexes".
 */
export function writeItem(
  txn: Txn,
  table: TableRecord,
  key: Item,
  old: Item | undefined,
  next: Item | undefined,
  k: Uint8Array = storageKey(table, key),
): IndexWrite[] {
  if (next) txn.put(k, encodeJson(next));
  else if (old) txn.delete(k);
  const ttlBefore = old ? ttlEntry(table, old, k) : undefined;
  const ttlAfter = next ? ttlEntry(table, next, k) : undefined;
  if (ttlBefore && (!ttlAfter || compareBytes(ttlBefore, ttlAfter) !== 0)) txn.delete(ttlBefore);
  if (ttlAfter && (!ttlBefore || compareBytes(ttlBefore, ttlAfter) !== 0)) txn.put(ttlAfter, EMPTY);
  const touched: IndexWrite[] = [];
  for (const index of liveIndexes(table)) {
    const before = old ? indexEntry(table, index, old) : undefined;
    const after = next ? indexEntry(table, index, next) : undefined;
    if (!before && !after) continue;
    const projected = after ? projectForIndex(table, index, next!) : undefined;
    const previous = before ? projectForIndex(table, index, old!) : undefined;
    const moved = before && (!after || compareBytes(before, after) !== 0);
    if (moved) txn.delete(before);
    if (after) txn.put(after, encodeJson(projected));
    const charge = (item: Item) => touched.push({ index: index.name, global: index.global, size: itemSize(item) });
    if (moved) charge(previous!);
    if (projected && (moved || !previous || !valuesEqual({ M: projected }, { M: previous }))) charge(projected);
  }
  return touched;
}
