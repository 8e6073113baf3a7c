import { describe, expect, it } from "vitest";
import pino from "pino";
import type { Store, WatchEvent } from "./store.ts";
import { WatchedCache } from "./watched-cache.ts";

const PREFIX = new Uint8Array([7, 7]);
const key = (name: string) => new Uint8Array([...PREFIX, ...new TextEncoder().encode(name)]);

/** A store whose watch delivers what the test pushes. */
function fakeStore() {
  const pending: WatchEvent[] = [];
  let wake: (() => void) | undefined;
  const store = {
    watch(_prefix: Uint8Array, signal: AbortSignal): AsyncIterable<WatchEvent> {
      return (async function* () {
        while (!signal.aborted) {
          while (pending.length > 0) yield pending.shift()!;
          await new Promise<void>((r) => {
            wake = r;
            signal.addEventListener("abort", () => r(), { once: true });
          });
        }
      })();
    },
  } as unknown as Store;
  const push = (k: Uint8Array) => {
    pending.push({ type: "put", key: k, modRevision: 1n });
    wake?.();
  };
  return { store, push };
}

async function liveCache(store: Store) {
  const cache = new WatchedCache<string>(store, pino({ level: "silent" }), {
    prefix: PREFIX,
    ttlMs: 60_000,
    maxEntries: 100,
    nameOf: (k) => new TextDecoder().decode(k.subarray(PREFIX.length)),
    what: "test cache",
  });
  cache.start();
  // A (re)started watch is trusted only after it settles.
  await new Promise((r) => setTimeout(r, 1_100));
  return cache;
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe("WatchedCache", () => {
  it("serves from memory until the watch reports that record changed", async () => {
    const { store, push } = fakeStore();
    const cache = await liveCache(store);
    let reads = 0;
    const read = async () => `v${++reads}`;
    expect(await cache.get("a", read)).toBe("v1");
    expect(await cache.get("a", read)).toBe("v1");
    expect(await cache.get("b", read)).toBe("v2");
    push(key("a"));
    await tick();
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.peek("b")).toBe("v2");
    expect(await cache.get("a", read)).toBe("v3");
    await cache.stop();
  });

  it("drops everything on a whole-prefix event (changes may have gone unseen)", async () => {
    const { store, push } = fakeStore();
    const cache = await liveCache(store);
    await cache.get("a", async () => "x");
    await cache.get("b", async () => "y");
    push(PREFIX.slice());
    await tick();
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.peek("b")).toBeUndefined();
    await cache.stop();
  });

  it("never keeps a value read before an invalidation", async () => {
    const { store, push } = fakeStore();
    const cache = await liveCache(store);
    let release!: () => void;
    const slow = cache.get("a", () => new Promise<string>((r) => (release = () => r("old"))));
    await tick();
    push(key("a"));
    await tick();
    release();
    expect(await slow).toBe("old");
    expect(cache.peek("a")).toBeUndefined();
    await cache.stop();
  });

  it("serves nothing before its watch has settled", async () => {
    const { store } = fakeStore();
    const cache = new WatchedCache<string>(store, pino({ level: "silent" }), { prefix: PREFIX, ttlMs: 60_000, maxEntries: 100, what: "test cache" });
    cache.start();
    await cache.get("a", async () => "x");
    expect(cache.peek("a")).toBeUndefined();
    await cache.stop();
  });
});
