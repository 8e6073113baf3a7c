// In-process change feed for the embedded store. Commits publish their events here after
// they are durable; watchers receive those under their prefix.
//
// Embedded watch is per-process: it sees commits made through stores in this process
// only. Another process writing the same directory does not wake these watchers (lmdb
// has no change notification), which is why the embedded backend is meant for a single
// gateway process.

import type { WatchEvent } from "../store.ts";

/**
 * A slow consumer must not grow memory without bound. Events are wake-ups (consumers
 * re-read), so dropping the oldest when the queue is full loses nothing a consumer needs
 * as long as it is still woken.
 */
export const WATCH_QUEUE_CAPACITY = 4096;

interface Subscriber {
  prefix: Uint8Array;
  queue: WatchEvent[];
  wake: (() => void) | undefined;
  done: boolean;
}

export class ChangeFeed {
  private readonly subscribers = new Set<Subscriber>();

  get size(): number {
    return this.subscribers.size;
  }

  publish(events: readonly WatchEvent[]): void {
    if (this.subscribers.size === 0) return;
    for (const sub of this.subscribers) {
      let delivered = false;
      for (const ev of events) {
        if (!hasPrefix(ev.key, sub.prefix)) continue;
        if (sub.queue.length >= WATCH_QUEUE_CAPACITY) sub.queue.shift();
        sub.queue.push(ev);
        delivered = true;
      }
      if (delivered) wakeUp(sub);
    }
  }

  /** Subscribes now (events committed after this call are delivered), iterates later. */
  subscribe(prefix: Uint8Array, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const sub: Subscriber = { prefix: prefix.slice(), queue: [], wake: undefined, done: false };
    // An aborted watcher wants to stop now, not drain what is queued.
    const end = () => {
      sub.done = true;
      sub.queue.length = 0;
      this.subscribers.delete(sub);
      wakeUp(sub);
    };
    if (signal.aborted) sub.done = true;
    else {
      this.subscribers.add(sub);
      signal.addEventListener("abort", end, { once: true });
    }
    const iterate = async function* (): AsyncGenerator<WatchEvent> {
      try {
        for (;;) {
          const next = sub.queue.shift();
          if (next) {
            yield next;
            continue;
          }
          if (sub.done) return;
          await new Promise<void>((resolve) => {
            sub.wake = resolve;
          });
        }
      } finally {
        signal.removeEventListener("abort", end);
        end();
      }
    };
    return { [Symbol.asyncIterator]: iterate };
  }

  /** Ends every watch (store closing); pending events are still delivered first. */
  closeAll(): void {
    for (const sub of [...this.subscribers]) {
      sub.done = true;
      this.subscribers.delete(sub);
      wakeUp(sub);
    }
  }
}

function wakeUp(sub: Subscriber): void {
  const wake = sub.wake;
  sub.wake = undefined;
  wake?.();
}

function hasPrefix(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
