import { describe, expect, it } from "vitest";
import pino from "pino";
import type { Store, WatchEvent } from "../../kvclient/store.ts";
import { WaitHub } from "./long-poll.ts";

/** A store whose watch sends one event for the whole prefix after `afterMs`, then idles. */
function storeWithWholePrefixEvent(afterMs: number): Store {
  return {
    watch(prefix: Uint8Array, signal: AbortSignal): AsyncIterable<WatchEvent> {
      return (async function* () {
        await new Promise((r) => setTimeout(r, afterMs));
        yield { type: "put", key: prefix.slice(), modRevision: 0n } as WatchEvent;
        await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
      })();
    },
  } as unknown as Store;
}

describe("WaitHub", () => {
  it("wakes every waiter when the watch says changes may have gone unseen", async () => {
    const hub = new WaitHub(storeWithWholePrefixEvent(100), pino({ level: "silent" }));
    const signal = new AbortController().signal;
    const t0 = performance.now();
    await Promise.all([hub.wait("q1", Date.now() + 10_000, signal), hub.wait("q2", Date.now() + 10_000, signal)]);
    expect(performance.now() - t0).toBeLessThan(5_000);
    await hub.stop();
  });
});
