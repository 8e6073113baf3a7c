// Long-poll wake-ups. Waiting receivers cost one timer and one map entry each; nothing
// polls. They wake when:
//   - the store watch reports an index entry of their queue that is due now (a send, a
//     delay or visibility change to 0, a group head freed) — from any gateway process;
//   - their timer fires: the earlier of their wait deadline and the next due entry they
//     saw (a delay or visibility timeout expiring), pulled earlier if the watch reports an
//     entry due sooner;
//   - a local notify (a send in this process: no need to wait for the watch round trip).

import type { Logger } from "pino";
import type { Store } from "../../kvclient/store.ts";
import { decodeIndexKey, indexWatchPrefix } from "./keyspace.ts";

interface Waiter {
  until: number;
  timer: NodeJS.Timeout | undefined;
  wake: () => void;
}

const RECONNECT_MS = 500;

export class WaitHub {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /**
   * Bumped by every due-now event of any queue. A receiver reads it before scanning and
   * passes it to wait(): if it moved meanwhile, the wait returns at once, so a message
   * that lands between the scan and the wait is never slept through.
   */
  private generation = 0;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  get current(): number {
    return this.generation;
  }

  /** Resolve at `until`, on a wake-up for `qid`, or when `signal` aborts. Never rejects. */
  wait(qid: string, until: number, signal: AbortSignal, seen = this.generation): Promise<void> {
    this.ensureWatching();
    if (seen !== this.generation) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(qid);
      if (!set) {
        set = new Set();
        this.waiters.set(qid, set);
      }
      const waiters = set;
      const w: Waiter = {
        until,
        timer: undefined,
        wake: () => {
          if (w.timer) clearTimeout(w.timer);
          signal.removeEventListener("abort", w.wake);
          waiters.delete(w);
          if (waiters.size === 0 && this.waiters.get(qid) === waiters) this.waiters.delete(qid);
          resolve();
        },
      };
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", w.wake, { once: true });
      w.timer = setTimeout(w.wake, Math.max(0, until - Date.now()));
      waiters.add(w);
    });
  }

  /** Wake every waiter of `qid` (they re-read; those who find nothing wait again). */
  notify(qid: string): void {
    this.generation++;
    const set = this.waiters.get(qid);
    if (!set) return;
    for (const w of [...set]) w.wake();
  }

  /** An entry of `qid` becomes due at `atMs`: wake now, or pull timers earlier. */
  private due(qid: string, atMs: number): void {
    if (atMs <= Date.now()) return this.notify(qid);
    const set = this.waiters.get(qid);
    if (!set) return;
    for (const w of set) {
      if (atMs < w.until) {
        w.until = atMs;
        if (w.timer) clearTimeout(w.timer);
        w.timer = setTimeout(w.wake, Math.max(0, atMs - Date.now()));
      }
    }
  }

  ensureWatching(): void {
    if (this.running) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.running = this.watchLoop(signal);
  }

  private async watchLoop(signal: AbortSignal): Promise<void> {
    const prefix = indexWatchPrefix();
    while (!signal.aborted) {
      try {
        for await (const ev of this.store.watch(prefix, signal)) {
          if (ev.type !== "put") continue;
          const e = decodeIndexKey(ev.key);
          if (e) this.due(e.qid, e.atMs);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.logger.warn({ err }, "sqs long-poll watch failed; reconnecting");
      }
      if (signal.aborted) break;
      // A broken watch may have missed wake-ups: wake everyone to re-read, then resume.
      for (const qid of [...this.waiters.keys()]) this.notify(qid);
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    for (const qid of [...this.waiters.keys()]) this.notify(qid);
    await this.running?.catch(() => {});
    this.running = undefined;
  }
}
