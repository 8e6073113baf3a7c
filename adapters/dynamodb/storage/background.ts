// Background work, bounded per tick and abortable: removing dropped tables' and indexes'
// data, backfilling GSIs created by UpdateTable, expiring TTL items, and forgetting old
// idempotency tokens. Every step is an ordinary transaction, so several gateway processes
// may run it at once without harm.

import type { Logger } from "pino";
import type { Store } from "../../../kvclient/store.ts";
import { decodeTuple } from "../../../kvclient/tuple.ts";
import { decodeJson, encodeJson, gcRange, itemsRange, keyAfter, tableKey, tablesRange, tokenExpiriesBefore, tokenKey } from "../keyspace.ts";
import { writeItem } from "./items.ts";
import { indexEntry, projectForIndex, type TableRecord } from "./table.ts";
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
  private readonly ttlCursor = new Map<string, Uint8Array>();

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
      // A bounded slice per sweep; the per-table cursor resumes where it stopped.
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
    const start = this.ttlCursor.get(cursorKey) ?? range.start;
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
    if (done === true) this.ttlCursor.delete(cursorKey);
    else this.ttlCursor.set(cursorKey, done);
    return true;
  }

  /** Delete expired items (TTL attribute in epoch seconds, not older than five years). */
  private async sweepTtl(deadline: number): Promise<void> {
    const { store } = this.opts;
    const tables = (await this.tables()).filter((t) => t.ttl?.enabled);
    for (const t of tables) {
      const attr = t.ttl!.attributeName;
      const range = itemsRange(t.id);
      let start = this.ttlCursor.get(t.id) ?? range.start;
      while (Date.now() < deadline && !this.signal.aborted) {
        const page = await store.scan({ start, end: range.end, limit: 500, signal: this.signal, consistency: "serializable" });
        const now = Date.now() / 1000;
        const expired = page.kvs.filter((kv) => isExpired(decodeJson<Item>(kv.value), attr, now));
        for (let i = 0; i < expired.length; i += this.chunk) {
          const batch = expired.slice(i, i + this.chunk);
          await store.transact(
            async (txn) => {
              const v = await txn.get(tableKey(t.name));
              if (!v) return;
              const cur = decodeJson<TableRecord>(v);
              if (cur.id !== t.id) return;
              for (const kv of batch) {
                const raw = await txn.get(kv.key);
                if (!raw) continue;
                const item = decodeJson<Item>(raw);
                // Re-check inside the transaction: the item may have been rewritten.
                if (!isExpired(item, attr, Date.now() / 1000)) continue;
                writeItem(txn, cur, item, item, undefined);
              }
            },
            { signal: this.signal, family: "ddb.ttl" },
          );
        }
        if (!page.more || !page.kvs.length) {
          this.ttlCursor.delete(t.id);
          break;
        }
        start = keyAfter(page.kvs[page.kvs.length - 1]!.key);
        this.ttlCursor.set(t.id, start);
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
