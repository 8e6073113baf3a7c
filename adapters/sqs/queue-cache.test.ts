import { describe, expect, it } from "vitest";
import pino from "pino";
import type { Store, WatchEvent } from "../../kvclient/store.ts";
import { encodeJson, type QueueRecord } from "./keyspace.ts";
import { QueueCache } from "./queue-cache.ts";

describe("QueueCache", () => {
  it("forgets every entry when the watch says changes may have gone unseen", async () => {
    let sendWholePrefix: (() => void) | undefined;
    let reads = 0;
    const store = {
      async get() {
        reads++;
        return { value: encodeJson({ name: "q" } as unknown as QueueRecord) };
      },
      watch(prefix: Uint8Array, signal: AbortSignal): AsyncIterable<WatchEvent> {
        return (async function* () {
          await new Promise<void>((r) => (sendWholePrefix = r));
          yield { type: "put", key: prefix.slice(), modRevision: 0n } as WatchEvent;
          await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
        })();
      },
    } as unknown as Store;
    const cache = new QueueCache(store, pino({ level: "silent" }));
    cache.start();
    const signal = new AbortController().signal;
    while (sendWholePrefix === undefined) await new Promise((r) => setTimeout(r, 5));
    await cache.get("q", signal);
    await cache.get("q", signal);
    expect(reads).toBe(1);
    sendWholePrefix();
    await new Promise((r) => setTimeout(r, 20));
    expect(cache.peek("q")).toBeUndefined();
    await cache.get("q", signal);
    expect(reads).toBe(2);
    await cache.stop();
  });
});
