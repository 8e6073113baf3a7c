// What every operation gets: the store, identity, the caller's signal, and table lookups.

import type { Logger } from "pino";
import type { Consistency, Store, Txn } from "../../../kvclient/store.ts";
import { decodeJson, tableKey } from "../keyspace.ts";
import type { TableRecord } from "../storage/table.ts";
import { resourceNotFound } from "../wire/errors.ts";
import type { TableStats } from "../storage/stats.ts";

export interface OpContext {
  store: Store;
  region: string;
  accountId: string;
  signal: AbortSignal;
  logger: Logger;
  stats: TableStats;
}

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

export async function readTable(ctx: OpContext, name: string, consistency: Consistency = "linearizable"): Promise<TableRecord | undefined> {
  const kv = await ctx.store.get(tableKey(name), { signal: ctx.signal, consistency });
  return kv ? decodeJson<TableRecord>(kv.value) : undefined;
}

/** The table, or the ResourceNotFoundException item operations answer. */
export async function requireTable(ctx: OpContext, name: string, consistency: Consistency = "linearizable"): Promise<TableRecord> {
  const t = await readTable(ctx, name, consistency);
  if (!t || t.status === "DELETING") throw resourceNotFound();
  return t;
}

export async function txnTable(txn: Txn, name: string): Promise<TableRecord | undefined> {
  const v = await txn.get(tableKey(name));
  const t = v ? decodeJson<TableRecord>(v) : undefined;
  return t && t.status !== "DELETING" ? t : undefined;
}
