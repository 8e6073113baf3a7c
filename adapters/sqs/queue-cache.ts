// Queue records change rarely and are read by every request. This cache keeps them for a
// few seconds and drops an entry as soon as the store watch reports a change to it (from
// any gateway process). While the watch is down the cache is bypassed. SQS itself
// documents that attribute changes can take up to 60 s to propagate.

import type { Logger } from "pino";
import { coversWholePrefix, type Store } from "../../kvclient/store.ts";
import { decodeJson, queueKey, queuesRange, type QueueRecord } from "./keyspace.ts";
import { decodeTuple } from "../../kvclient/tuple.ts";

const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
const RECONNECT_MS = 500;

export class QueueCache {
  private readonly entries = new Map<string, { rec: QueueRecord | undefined; at: number }>();
  private live = false;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** The cached record when there is a fresh one, without touching the store. */
  peek(name: string): QueueRecord | undefined {
    const hit = this.live ? this.entries.get(name) : undefined;
    return hit && Date.now() - hit.at < TTL_MS ? hit.rec : undefined;
  }

  async get(name: string, signal: AbortSignal): Promise<QueueRecord | undefined> {
    const hit = this.peek(name);
    if (hit) return hit;
    const started = Date.now();
    const kv = await this.store.get(queueKey(name), { signal });
    const rec = kv ? decodeJson<QueueRecord>(kv.value) : undefined;
    // Only positive answers are cached: a queue created elsewhere must be usable at once.
    if (this.live && rec) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(name, { rec, at: started });
    }
    return rec;
  }

  invalidate(name: string): void {
    this.entries.delete(name);
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.loop(this.abort.signal);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const prefix = queuesRange().start;
    while (!signal.aborted) {
      try {
        const events = this.store.watch(prefix, signal);
        this.entries.clear();
        this.live = true;
        for await (const ev of events) {
          // The watch may have missed changes: forget every entry.
          if (coversWholePrefix(ev, prefix)) {
            this.entries.clear();
            continue;
          }
          const t = decodeTuple(ev.key);
          if (typeof t[2] === "string") this.entries.delete(t[2]);
        }
      } catch (err) {
        if (!signal.aborted) this.logger.warn({ err }, "sqs queue cache watch failed; bypassing cache");
      }
      this.live = false;
      this.entries.clear();
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.live = false;
    await this.running?.catch(() => {});
    this.running = undefined;
  }
}
