// Table records for eventually consistent reads. Every GetItem, Query, Scan and BatchGetItem
// needs its table's schema, and on etcd reading it costs a round trip before the item read
// can start. Records change rarely (CreateTable, UpdateTable, DeleteTable, TTL and index
// backfill progress), so they are cached, and ALL are dropped as soon as the store watch
// reports any change under the table prefix, from any gateway process (see
// kvclient/watched-cache.ts). Consistent reads and all writes never use it: writes read the
// record inside their transaction, so a concurrent schema change conflicts with them.

import type { Logger } from "pino";
import type { Store } from "../../../kvclient/store.ts";
import { WatchedCache } from "../../../kvclient/watched-cache.ts";
import { tablesRange } from "../keyspace.ts";
import type { TableRecord } from "./table.ts";

export type TableCache = WatchedCache<TableRecord>;

export function tableCache(store: Store, logger: Logger): TableCache {
  return new WatchedCache<TableRecord>(store, logger, { prefix: tablesRange().start, ttlMs: 2_000, maxEntries: 10_000, what: "dynamodb table cache" });
}
