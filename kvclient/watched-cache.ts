// Records that change rarely and are read by every request (DynamoDB table schemas, SQS
// queue records), kept in memory and dropped as soon as the store watch reports a change
// under their prefix, from any process sharing the store.
//
// Safety:
// - entries are served only while the watch is live; a (re)started watch is trusted only
//   after SETTLE_MS (a watch fixes its start revision asynchronously), and the cache is
//   emptied then;
// - a read that started before an invalidation never inserts its (possibly older) record:
//   every invalidation bumps a generation, and an insert needs the generation its read saw;
// - entries also expire after `ttlMs`, bounding staleness should an event ever be missed;
// - only positive answers are kept: a record created elsewhere is usable at once.

import type { Logger } from "pino";
import { coversWholePrefix, type Store, type WatchEvent } from "./store.ts";

const SETTLE_MS = 1_000;
const RECONNECT_MS = 500;

export interface WatchedCacheOptions {
  /** The key prefix whose changes invalidate the cache. */
  prefix: Uint8Array;
  /** Longest an entry is served. */
  ttlMs: number;
  /** The cache empties itself when it would grow past this. */
  maxEntries: number;
  /** The cached name a changed key stands for; undefined drops every entry. */
  nameOf?(key: Uint8Array): string | undefined;
  /** What the watch failure log line says. */
  what: string;
}

export class WatchedCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private generation = 0;
  private live = false;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly opts: WatchedCacheOptions,
  ) {}

  /** The cached value when there is a fresh one, without reading the store. */
  peek(name: string): V | undefined {
    if (!this.live) return undefined;
    const hit = this.entries.get(name);
    return hit && Date.now() - hit.at < this.opts.ttlMs ? hit.value : undefined;
  }

  /** The value, from the cache when fresh, else from `read` (whose answer may be kept). */
  async get(name: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.peek(name);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const started = Date.now();
    const value = await read();
    if (value !== undefined && this.live && generation === this.generation) {
      if (this.entries.size >= this.opts.maxEntries) this.entries.clear();
      this.entries.set(name, { value, at: started });
    }
    return value;
  }

  /** Forget one entry, or all (a process's own changes call this after they commit). */
  invalidate(name?: string): void {
    this.generation++;
    if (name === undefined) this.entries.clear();
    else this.entries.delete(name);
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

  /** The one entry an event invalidates, or undefined for all of them. */
  private nameOf(ev: WatchEvent): string | undefined {
    if (!this.opts.nameOf || coversWholePrefix(ev, this.opts.prefix)) return undefined;
    try {
      return this.opts.nameOf(ev.key);
    } catch {
      return undefined;
    }
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { prefix, what } = this.opts;
    while (!signal.aborted) {
      let settle: NodeJS.Timeout | undefined;
      try {
        const it = this.store.watch(prefix, signal)[Symbol.asyncIterator]();
        const first = it.next();
        settle = setTimeout(() => {
          this.invalidate();
          this.live = true;
        }, SETTLE_MS);
        settle.unref();
        for (let r = await first; !r.done; r = await it.next()) {
          this.invalidate(this.nameOf(r.value));
        }
      } catch (err) {
        if (!signal.aborted) this.logger.warn({ err }, `${what} watch failed; bypassing the cache`);
      } finally {
        clearTimeout(settle);
      }
      this.live = false;
      this.invalidate();
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, RECONNECT_MS).unref());
    }
  }
}
