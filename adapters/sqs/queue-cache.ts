// Queue records change rarely and are read by every request. This cache keeps them for a
// few seconds and drops an entry as soon as the store watch reports a change to it (from
// any gateway process); see kvclient/watched-cache.ts. SQS itself documents that attribute
// changes can take up to 60 s to propagate.

import type { Logger } from "pino";
import type { Store } from "../../kvclient/store.ts";
import { WatchedCache } from "../../kvclient/watched-cache.ts";
import { decodeJson, queueKey, queuesRange, type QueueRecord } from "./keyspace.ts";
import { decodeTuple } from "../../kvclient/tuple.ts";

const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export class QueueCache {
  private readonly cache: WatchedCache<QueueRecord>;

  constructor(
    private readonly store: Store,
    logger: Logger,
  ) {
    this.cache = new WatchedCache(store, logger, {
      prefix: queuesRange().start,
      ttlMs: TTL_MS,
      maxEntries: MAX_ENTRIES,
      nameOf: (key) => {
        const t = decodeTuple(key);
        return typeof t[2] === "string" ? t[2] : undefined;
      },
      what: "sqs queue cache",
    });
  }

  /** The cached record when there is a fresh one, without touching the store. */
  peek(name: string): QueueRecord | undefined {
    return this.cache.peek(name);
  }

  get(name: string, signal: AbortSignal): Promise<QueueRecord | undefined> {
    return this.cache.get(name, async () => {
      const kv = await this.store.get(queueKey(name), { signal });
      return kv ? decodeJson<QueueRecord>(kv.value) : undefined;
    });
  }

  invalidate(name: string): void {
    this.cache.invalidate(name);
  }

  start(): void {
    this.cache.start();
  }

  stop(): Promise<void> {
    return this.cache.stop();
  }
}
