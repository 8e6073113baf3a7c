// Item collections: on a table with a local secondary index, the items sharing a partition
// key together with their local index entries. DynamoDB caps one at 10 GB and reports its
// size (ReturnItemCollectionMetrics); this file keeps that size.
//
// The size is a counter split into SHARDS keys per partition key; an item always counts in
// the shard its storage key hashes to. A write reads and updates its own shard inside its
// transaction and reads the other shards outside it (a snapshot): writers of different
// items of one partition then rarely conflict, and the limit check may be short by what
// concurrent writers add at the same moment (the limit is a safety bound, not an invariant
// anyone reads back). Items written before this accounting existed are not counted.

import { crc32 } from "node:zlib";
import type { Store, Txn } from "../../../kvclient/store.ts";
import { collectionRange, collectionShardKey } from "../keyspace.ts";
import { itemSize, type Item } from "../types/attribute-value.ts";
import { hashKeyName, indexEntry, projectForIndex, type TableRecord } from "./table.ts";

/** DynamoDB's limit: 10 GB. */
export const DEFAULT_ITEM_COLLECTION_MAX_BYTES = 10 * 2 ** 30;
const SHARDS = 16;
const enc = new TextEncoder();
const dec = new TextDecoder();

export function hasLocalIndex(t: TableRecord): boolean {
  return t.indexes.some((i) => !i.global);
}

/** What one item adds to its collection: itself plus its entry in each local index. */
export function collectionBytes(t: TableRecord, item: Item): number {
  let n = itemSize(item);
  for (const index of t.indexes) {
    if (index.global || !indexEntry(t, index, item)) continue;
    n += itemSize(projectForIndex(t, index, item));
  }
  return n;
}

function counterValue(v: Uint8Array | undefined): number {
  return v ? Number(dec.decode(v)) || 0 : 0;
}

export interface CollectionOutcome {
  exceeded: boolean;
  size: number;
}

/**
 * Where a write counts: the store the other shards are read from, and the largest a
 * collection may grow (default: DynamoDB's). An operation's context is one.
 */
export interface CollectionScope {
  store: Store;
  signal?: AbortSignal;
  collectionLimit?: number;
}

/**
 * Count a write (`old` replaced by `next`, either absent) in its item collection, inside
 * `txn`. Undefined for tables without a local index; `exceeded` (and nothing written) when
 * the write would grow the collection past the scope's limit.
 */
export async function trackCollection(
  scope: CollectionScope,
  txn: Txn,
  t: TableRecord,
  key: Item,
  itemStorageKey: Uint8Array,
  old: Item | undefined,
  next: Item | undefined,
): Promise<CollectionOutcome | undefined> {
  if (!hasLocalIndex(t)) return undefined;
  const { store, signal } = scope;
  const limit = scope.collectionLimit ?? DEFAULT_ITEM_COLLECTION_MAX_BYTES;
  const delta = (next ? collectionBytes(t, next) : 0) - (old ? collectionBytes(t, old) : 0);
  const pk = key[hashKeyName(t.keySchema)]!;
  const own = collectionShardKey(t.id, pk, crc32(itemStorageKey) % SHARDS);
  const [mine, all] = await Promise.all([
    delta !== 0 ? txn.get(own) : undefined,
    store.scan({ ...collectionRange(t.id, pk), consistency: "serializable", signal }),
  ]);
  let size = 0;
  let ownSeen: number | undefined;
  for (const kv of all.kvs) {
    const v = counterValue(kv.value);
    if (Buffer.compare(kv.key, own) === 0) ownSeen = v;
    else size += v;
  }
  const ownBytes = delta !== 0 ? counterValue(mine) : (ownSeen ?? 0);
  size += ownBytes;
  if (delta > 0 && size + delta > limit) return { exceeded: true, size };
  if (delta !== 0) txn.put(own, enc.encode(String(Math.max(0, ownBytes + delta))));
  return { exceeded: false, size: Math.max(0, size + delta) };
}

/** ItemCollectionMetrics for a write: the collection's key and DynamoDB's 1 GB-wide estimate. */
export function collectionMetrics(t: TableRecord, key: Item, size: number): Record<string, unknown> {
  const h = hashKeyName(t.keySchema);
  const gb = Math.floor(size / 2 ** 30);
  return { ItemCollectionKey: { [h]: key[h] }, SizeEstimateRangeGB: [gb, gb + 1] };
}
