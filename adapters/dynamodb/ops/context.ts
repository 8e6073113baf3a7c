// What every operation gets: the store, identity, the caller's signal, and table lookups.

import type { Logger } from "pino";
import type { Consistency, Store, Txn } from "../../../kvclient/store.ts";
import { decodeJson, tableKey } from "../keyspace.ts";
import type { TableCache } from "../storage/table-cache.ts";
import type { TableRecord } from "../storage/table.ts";
import { resourceNotFound } from "../wire/errors.ts";
import type { TableStats } from "../storage/stats.ts";
import type { KeyedLocks } from "../storage/locks.ts";
import type { Item } from "../types/attribute-value.ts";

export interface OpContext {
  store: Store;
  region: string;
  accountId: string;
  signal: AbortSignal;
  logger: Logger;
  stats: TableStats;
  locks: KeyedLocks;
  /** Table records for eventually consistent reads, kept fresh by a store watch. */
  tables?: TableCache;
  /**
   * Largest item collection of a table with a local index (DDB_ITEM_COLLECTION_MAX_BYTES).
   * With `store` and `signal`, this makes the context a CollectionScope (trackCollection).
   */
  collectionLimit?: number;
}

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

const RAW = Symbol("raw JSON response");
/**
 * A response whose JSON text is already at hand as bytes (stored items are JSON): the
 * handler sends their concatenation as is, instead of parsing and re-serializing them.
 */
export function rawOutput(parts: Uint8Array[]): Output {
  return { [RAW]: parts } as unknown as Output;
}
export function rawParts(out: Output): Uint8Array[] | undefined {
  return (out as unknown as { [RAW]?: Uint8Array[] })[RAW];
}

// Decoded table records keyed by their exact bytes: every request still reads the record
// from the store (so schema changes are seen at once), but skips re-parsing an unchanged one.
// Callers must not mutate a record obtained here.
const decoded = new Map<string, { bytes: Uint8Array; record: TableRecord }>();

function decodeTable(name: string, bytes: Uint8Array): TableRecord {
  const hit = decoded.get(name);
  if (hit && Buffer.compare(hit.bytes, bytes) === 0) return hit.record;
  const record = decodeJson<TableRecord>(bytes);
  if (decoded.size >= 1000) decoded.clear();
  decoded.set(name, { bytes: bytes.slice(), record });
  return record;
}

/**
 * The in-process lock name of an item, from the last table record this process decoded
 * (none before that: locks only ever reduce conflicts, the transaction stays the truth).
 */
export function itemLockKey(tableName: string, item: Item): string | undefined {
  const t = decoded.get(tableName)?.record;
  if (!t) return undefined;
  return `${tableName}\u0000${JSON.stringify(t.keySchema.map((k) => item[k.AttributeName] ?? null))}`;
}

/** The table record this process decoded last (possibly stale: only for speculation). */
export function cachedTable(tableName: string): TableRecord | undefined {
  return decoded.get(tableName)?.record;
}

/** Run `fn` holding the in-process locks of the given items. */
export function withItemLocks<T>(ctx: OpContext, items: [string, Item][], fn: () => Promise<T>): Promise<T> {
  const keys = items.map(([t, i]) => itemLockKey(t, i)).filter((k): k is string => k !== undefined);
  return keys.length ? ctx.locks.run(keys, fn) : fn();
}

export async function readTable(ctx: OpContext, name: string, consistency: Consistency = "linearizable"): Promise<TableRecord | undefined> {
  const kv = await ctx.store.get(tableKey(name), { signal: ctx.signal, consistency });
  return kv ? decodeTable(name, kv.value) : undefined;
}

/**
 * The table, or the ResourceNotFoundException item operations answer. Eventually consistent
 * ("serializable") reads may take the record from the watched cache; consistent reads and
 * every write read it from the store (writes inside their transaction).
 */
export async function requireTable(ctx: OpContext, name: string, consistency: Consistency = "linearizable"): Promise<TableRecord> {
  const t =
    consistency === "serializable" && ctx.tables
      ? await ctx.tables.get(name, () => readTable(ctx, name, consistency))
      : await readTable(ctx, name, consistency);
  if (!t || t.status === "DELETING") throw resourceNotFound();
  return t;
}

export async function txnTable(txn: Txn, name: string): Promise<TableRecord | undefined> {
  const v = await txn.get(tableKey(name));
  const t = v ? decodeTable(name, v) : undefined;
  return t && t.status !== "DELETING" ? t : undefined;
}
