// Table records for eventually consistent reads. Every GetItem, Query, Scan and BatchGetItem
// needs its table's schema, and on etcd reading it costs a round trip before the item read
// can start. Records change rarely (CreateTable, UpdateTable, DeleteTable, TTL and index
// backfill progress), so this cache keeps them and drops them ALL as soon as the store watch
// reports any change under the table prefix, from any gateway process.
//
// Safety:
// - only while the watch is live; a (re)started watch is trusted only after SETTLE_MS
//   (etcd's watch picks its start revision asynchronously), and the cache is cleared then;
// - a read that started before an invalidation never inserts its (possibly older) record:
//   each invalidation bumps a generation, and an insert needs the generation its read saw;
// - entries also expire after TTL_MS, bounding staleness should an event ever be missed;
// - only positive answers are kept: a table created elsewhere is usable at once;
// - consistent reads and all writes never use it (writes read the record inside their
//   transaction, so a concurrent schema change conflicts with them).

import type { Logger } from "pino";
import type { Store } from "../../../kvclient/store.ts";
import { tablesRange } from "../keyspace.ts";
import type { TableRecord } from "./table.ts";

const TTL_MS = 2_000;
const SETTLE_MS = 1_000;
const RECONNECT_MS = 500;
const MAX_ENTRIES = 10_000;

export class TableCache {
  private readonly entries = new Map<string, { record: TableRecord; at: number }>();
  private generation = 0;
  private live = false;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** The record, from the cache when fresh, else from `read` (which then may be kept). */
  async get(name: string, read: () => Promise<TableRecord | undefined>): Promise<TableRecord | undefined> {
    const now = Date.now();
    if (this.live) {
      const hit = this.entries.get(name);
      if (hit && now - hit.at < TTL_MS) return hit.record;
    }
    const generation = this.generation;
    const record = await read();
    if (record && this.live && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(name, { record, at: now });
    }
    return record;
  }

  /** Forget everything (also called by this process's own table changes, after commit). */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.loop(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.live = false;
    this.invalidate();
    await this.running?.catch(() => {});
    this.running = undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const prefix = tablesRange().start;
    while (!signal.aborted) {
      let settle: NodeJS.Timeout | undefined;
      try {
        const it = this.store.watch(prefix, signal)[Symbol.asyncIterator]();
        const first = it.next();
        settle = setTimeout(() => {
          this.invalidate();
          this.live = true;
        }, SETTLE_MS);
        settle.unref?.();
        for (let r = await first; !r.done; r = await it.next()) this.invalidate();
      } catch (err) {
        if (!signal.aborted) this.logger.warn({ err }, "dynamodb table cache watch failed; bypassing the cache");
      } finally {
        clearTimeout(settle);
      }
      this.live = false;
      this.invalidate();
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, RECONNECT_MS).unref?.());
    }
  }
}
