// ItemCount and TableSizeBytes, computed on demand and cached: DynamoDB itself refreshes
// them only about every six hours, and a per-table counter written on every put would
// make unrelated writes contend.

import type { Store } from "../../../kvclient/store.ts";
import { decodeJson, indexRange, itemsRange } from "../keyspace.ts";
import { itemSize, type Item } from "../types/attribute-value.ts";

const TTL_MS = 5_000; // DescribeTable waiters poll; a short cache keeps them cheap
const SCAN_CAP = 10_000;
const PAGE = 1000;

interface Entry {
  at: number;
  count: number;
  bytes: number;
}

export class TableStats {
  private readonly cache = new Map<string, Entry>();
  constructor(private readonly store: Store) {}

  async table(tableId: string, signal: AbortSignal): Promise<{ count: number; bytes: number }> {
    return this.measure(`t:${tableId}`, itemsRange(tableId), signal);
  }
  async index(tableId: string, index: string, signal: AbortSignal): Promise<{ count: number; bytes: number }> {
    return this.measure(`x:${tableId}:${index}`, indexRange(tableId, index), signal);
  }

  private async measure(key: string, range: { start: Uint8Array; end: Uint8Array }, signal: AbortSignal): Promise<{ count: number; bytes: number }> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit;
    let count = 0;
    let bytes = 0;
    let start = range.start;
    for (;;) {
      const page = await this.store.scan({ start, end: range.end, limit: PAGE, signal, consistency: "serializable" });
      for (const kv of page.kvs) {
        count++;
        bytes += itemSize(decodeJson<Item>(kv.value));
      }
      if (!page.more || page.kvs.length === 0 || count >= SCAN_CAP) break;
      const last = page.kvs[page.kvs.length - 1]!.key;
      start = new Uint8Array(last.length + 1);
      start.set(last);
    }
    if (count >= SCAN_CAP) {
      // Large tables: count exactly, extrapolate the size from the sample.
      const total = await this.store.count(range, { signal, consistency: "serializable" });
      bytes = Math.round((bytes / count) * total);
      count = total;
    }
    const entry = { at: Date.now(), count, bytes };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, entry);
    return entry;
  }
}
