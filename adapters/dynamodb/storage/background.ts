// Background work, bounded per tick and abortable: removing dropped tables' and indexes'
// data, backfilling GSIs created by UpdateTable, expiring TTL items, and forgetting old
// idempotency tokens. Every step is an ordinary transaction, so several gateway processes
// may run it at once without harm.

import type { Logger } from "pino";
import type { Store } from "../../../kvclient/store.ts";
import { decodeJson, encodeJson, gcRange, itemsRange, keyAfter, tableKey, tablesRange, tokenExpiriesBefore, tokenKey, ttlEntriesBetween } from "../keyspace.ts";
import { compareBytes, decodeTuple } from "../../../kvclient/tuple.ts";
import { writeItem } from "./items.ts";
import { trackCollection } from "./collections.ts";
import { indexEntry, projectForIndex, ttlEntry, type TableRecord } from "./table.ts";
import type { Item } from "../types/attribute-value.ts";
import { parseDec, formatDec } from "../types/number.ts";

const TTL_GRACE_SECONDS = 5 * 365 * 24 * 3600;

export interface BackgroundOptions {
  store: Store;
  logger: Logger;
  /** Idle period between passes (ms). */
  intervalMs?: number;
  /** Period between TTL sweeps (ms). */
  ttlIntervalMs?: number;
}

export class Background {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private lastTtl = 0;
  private lastTokens = 0;
  private wakeRequested = false;
  private lastBackfillLook = 0;
  private backfillHint = true;
  private readonly cursors = new Map<string, Uint8Array>();
  private knownTables: TableRecord[] = [];

  constructor(private readonly opts: BackgroundOptions) {}

  private get chunk(): number {
    return Math.max(8, Math.min(200, Math.floor(this.opts.store.limits.maxTxnOps / 4)));
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Run a pass soon (after DeleteTable or UpdateTable). */
  wake(): void {
    if (this.abort.signal.aborted) return;
    this.backfillHint = true;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.abort.signal.aborted) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((err) => {
          if (!this.abort.signal.aborted) this.opts.logger.warn({ err }, "dynamodb background pass failed");
        })
        .finally(() => {
          this.running = undefined;
          const again = this.wakeRequested;
          this.wakeRequested = false;
          this.schedule(again ? 0 : (this.opts.intervalMs ?? 1000));
        });
    }, ms);
    this.timer.unref?.();
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** One pass; returns when there is nothing left to do right now or a budget runs out. */
  async pass(): Promise<void> {
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && !this.signal.aborted) {
      const didGc = await this.collectOnce();
      const didBackfill = await this.backfillOnce();
      if (!didGc && !didBackfill) break;
    }
    const now = Date.now();
    if (now - this.lastTtl >= (this.opts.ttlIntervalMs ?? 5000)) {
      this.lastTtl = now;
      this.knownTables = await this.tables();
      while (Date.now() < deadline && (await this.ttlBackfillOnce()));
      await this.sweepTtl(Date.now() + 500);
    }
    if (now - this.lastTokens >= 10_000) {
      this.lastTokens = now;
      await this.forgetTokens();
    }
  }

  /** Delete one chunk of a dropped table's or index's data. True if work was done. */
  private async collectOnce(): Promise<boolean> {
    const { store } = this.opts;
    const marks = await store.scan({ ...gcRange(), limit: 1, signal: this.signal });
    const mark = marks.kvs[0];
    if (!mark) return false;
    const ranges = decodeJson<{ start: string; end: string }[]>(mark.value).map((r) => ({
      start: new Uint8Array(Buffer.from(r.start, "base64")),
      end: new Uint8Array(Buffer.from(r.end, "base64")),
    }));
    for (const r of ranges) {
      const page = await store.scan({ ...r, limit: this.chunk, keysOnly: true, signal: this.signal });
      if (page.kvs.length) {
        await store.transact(
          async (txn) => {
            for (const kv of page.kvs) txn.delete(kv.key);
          },
          { signal: this.signal, family: "ddb.gc" },
        );
        return true;
      }
    }
    await store.transact(
      async (txn) => {
        txn.delete(mark.key);
      },
      { signal: this.signal, family: "ddb.gc" },
    );
    return true;
  }

  private async tables(): Promise<TableRecord[]> {
    const out: TableRecord[] = [];
    let start = tablesRange().start;
    const end = tablesRange().end;
    for (;;) {
      const page = await this.opts.store.scan({ start, end, limit: 500, signal: this.signal, consistency: "serializable" });
      for (const kv of page.kvs) out.push(decodeJson<TableRecord>(kv.value));
      if (!page.more || !page.kvs.length) return out;
      start = keyAfter(page.kvs[page.kvs.length - 1]!.key);
    }
  }

  /**
   * Copy one chunk of items into a GSI that is being created. The chunk is read inside the
   * transaction, so a concurrent write to any of its items forces a retry, and writers keep
   * the CREATING index up to date themselves.
   */
  private async backfillOnce(): Promise<boolean> {
    const { store } = this.opts;
    // Listing tables costs a range read: look when woken, or now and then for backfills that
    // another gateway process started and did not finish.
    if (!this.backfillHint && Date.now() - this.lastBackfillLook < 10_000) return false;
    this.lastBackfillLook = Date.now();
    const tables = await this.tables();
    this.backfillHint = tables.some((x) => x.indexes.some((i) => i.backfilling));
    const t = tables.find((x) => x.indexes.some((i) => i.backfilling));
    if (!t) return false;
    const index = t.indexes.find((i) => i.backfilling)!;
    const cursorKey = `bf:${t.id}:${index.id ?? index.name}`;
    const range = itemsRange(t.id);
    const start = this.cursors.get(cursorKey) ?? range.start;
    const done = await store.transact(
      async (txn) => {
        const v = await txn.get(tableKey(t.name));
        if (!v) return true;
        const cur = decodeJson<TableRecord>(v);
        const idx = cur.indexes.find((i) => i.name === index.name && i.id === index.id);
        if (!cur || cur.id !== t.id || !idx?.backfilling) return true;
        const page = await txn.scan({ start, end: range.end, limit: this.chunk });
        for (const kv of page.kvs) {
          const item = decodeJson<Item>(kv.value);
          const k = indexEntry(cur, idx, item);
          if (k) txn.put(k, encodeJson(projectForIndex(cur, idx, item)));
        }
        if (page.more && page.kvs.length) {
          return keyAfter(page.kvs[page.kvs.length - 1]!.key);
        }
        idx.backfilling = false;
        idx.status = "ACTIVE";
        txn.put(tableKey(cur.name), encodeJson(cur));
        return true;
      },
      { signal: this.signal, family: "ddb.backfill" },
    );
    if (done === true) this.cursors.delete(cursorKey);
    else this.cursors.set(cursorKey, done);
    return true;
  }

  /**
   * Give every existing item of a table whose TTL was just enabled its expiry entry, in
   * chunks read inside transactions (writers maintain entries themselves meanwhile).
   */
  private async ttlBackfillOnce(): Promise<boolean> {
    const { store } = this.opts;
    const t = this.knownTables.find((x) => x.ttl?.enabled && !x.ttl.indexed);
    if (!t) return false;
    const attr = t.ttl!.attributeName;
    const cursorKey = `ttlbf:${t.id}:${attr}`;
    const range = itemsRange(t.id);
    const start = this.cursors.get(cursorKey) ?? range.start;
    const done = await store.transact(
      async (txn) => {
        const v = await txn.get(tableKey(t.name));
        if (!v) return true;
        const cur = decodeJson<TableRecord>(v);
        if (cur.id !== t.id || !cur.ttl?.enabled || cur.ttl.indexed || cur.ttl.attributeName !== attr) return true;
        const page = await txn.scan({ start, end: range.end, limit: this.chunk });
        for (const kv of page.kvs) {
          const k = ttlEntry(cur, decodeJson<Item>(kv.value));
          if (k) txn.put(k, new Uint8Array(0));
        }
        if (page.more && page.kvs.length) return keyAfter(page.kvs[page.kvs.length - 1]!.key);
        cur.ttl.indexed = true;
        txn.put(tableKey(cur.name), encodeJson(cur));
        return true;
      },
      { signal: this.signal, family: "ddb.backfill" },
    );
    if (done === true) {
      this.cursors.delete(cursorKey);
      t.ttl!.indexed = true;
    } else this.cursors.set(cursorKey, done);
    return true;
  }

  /**
   * Delete expired items through the expiry entries: the work is proportional to what has
   * expired, not to the table. Each deletion re-checks the item inside its transaction.
   */
  private async sweepTtl(deadline: number): Promise<void> {
    const { store } = this.opts;
    const tables = this.knownTables.filter((t) => t.ttl?.enabled && t.ttl.indexed);
    for (const t of tables) {
      const attr = t.ttl!.attributeName;
      while (Date.now() < deadline && !this.signal.aborted) {
        const nowSec = Math.floor(Date.now() / 1000);
        const range = ttlEntriesBetween(t.id, nowSec - TTL_GRACE_SECONDS, nowSec);
        const page = await store.scan({ ...range, limit: this.chunk, keysOnly: true, signal: this.signal });
        if (!page.kvs.length) break;
        await store.transact(
          async (txn) => {
            const v = await txn.get(tableKey(t.name));
            if (!v) return;
            const cur = decodeJson<TableRecord>(v);
            if (cur.id !== t.id || !cur.ttl?.enabled) return;
            for (const kv of page.kvs) {
              const itemKeyBytes = decodeTuple(kv.key)[4] as Uint8Array;
              const raw = await txn.get(itemKeyBytes);
              const item = raw ? decodeJson<Item>(raw) : undefined;
              if (item && isExpired(item, attr, Date.now() / 1000)) {
                await trackCollection({ store, signal: this.signal, collectionLimit: Infinity }, txn, cur, item, itemKeyBytes, item, undefined);
                writeItem(txn, cur, item, item, undefined, itemKeyBytes);
                continue;
              }
              // Not (yet) expired: keep the entry only if it is still the item's own.
              const own = item ? ttlEntry(cur, item) : undefined;
              if (!own || compareBytes(own, kv.key) !== 0) txn.delete(kv.key);
            }
          },
          { signal: this.signal, family: "ddb.ttl" },
        );
        if (!page.more) break;
      }
    }
  }

  /** Remove idempotency tokens past their 10 minutes, oldest first, within a small budget. */
  private async forgetTokens(): Promise<void> {
    const { store } = this.opts;
    const until = Date.now() + 500;
    while (Date.now() < until && !this.signal.aborted) {
      const page = await store.scan({ ...tokenExpiriesBefore(Date.now()), limit: this.chunk, keysOnly: true, signal: this.signal });
      if (!page.kvs.length) return;
      await store.transact(
        async (txn) => {
          for (const kv of page.kvs) {
            const [, , , token] = decodeTuple(kv.key) as [string, string, bigint, string];
            txn.delete(kv.key);
            const v = await txn.get(tokenKey(token));
            // A token reused after expiry has a newer record (and a newer expiry entry).
            if (v && decodeJson<{ expires: number }>(v).expires <= Date.now()) txn.delete(tokenKey(token));
          }
        },
        { signal: this.signal, family: "ddb.gc" },
      );
      if (!page.more) return;
    }
  }
}

export function isExpired(item: Item, attr: string, nowSeconds: number): boolean {
  const v = item[attr];
  if (!v || !("N" in v)) return false;
  const text = formatDec(parseDec(v.N));
  const at = Number(text);
  return Number.isFinite(at) && at <= nowSeconds && at > nowSeconds - TTL_GRACE_SECONDS;
}
