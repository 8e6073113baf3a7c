// Long-poll wake-ups. A waiting receiver costs one map entry and one timer (its wait
// deadline); nothing polls. Waiters of a queue are woken one at a time:
//   - by the store watch, when an index entry of their queue is due now (a send, a delay
//     or visibility change to 0, a freed FIFO group head), from any gateway process;
//   - by the queue's due timer, armed at the earliest future entry a waiter or the watch
//     has seen (a delay or visibility timeout expiring);
//   - by a local notify after a send in this process (no watch round trip needed);
//   - by a receiver that just took a full batch and hands the baton on, since more
//     messages may be waiting.
// One message wakes one receiver: a thousand parked receivers never stampede for it.

import type { Logger } from "pino";
import { coversWholePrefix, type Store } from "../../kvclient/store.ts";
import { decodeIndexKey, indexWatchPrefix } from "./keyspace.ts";

interface Waiter {
  timer: NodeJS.Timeout | undefined;
  wake: () => void;
}

interface QueueWaiters {
  set: Set<Waiter>;
  dueAt: number;
  dueTimer: NodeJS.Timeout | undefined;
}

const RECONNECT_MS = 500;

export class WaitHub {
  private readonly queues = new Map<string, QueueWaiters>();
  /**
   * Bumped by every due-now event of any queue. A receiver reads it before scanning and
   * passes it to wait(): if it moved meanwhile, the wait returns at once, so a message
   * that lands between the scan and the wait is never slept through.
   */
  private generation = 0;
  /** Set by stop(): woken receivers answer empty instead of touching a closing store. */
  stopped = false;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.set.size;
    return n;
  }

  get current(): number {
    return this.generation;
  }

  hasWaiters(qid: string): boolean {
    return (this.queues.get(qid)?.set.size ?? 0) > 0;
  }

  /**
   * Resolve at `until`, on a wake-up for `qid`, or when `signal` aborts; never rejects.
   * `dueAt` is the next time something in the queue falls due, if the caller knows one.
   */
  wait(qid: string, until: number, signal: AbortSignal, seen = this.generation, dueAt?: number): Promise<void> {
    this.ensureWatching();
    if (seen !== this.generation || signal.aborted || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let q = this.queues.get(qid);
      if (!q) {
        q = { set: new Set(), dueAt: Infinity, dueTimer: undefined };
        this.queues.set(qid, q);
      }
      const entry = q;
      const w: Waiter = {
        timer: undefined,
        wake: () => {
          if (w.timer) clearTimeout(w.timer);
          signal.removeEventListener("abort", w.wake);
          entry.set.delete(w);
          if (entry.set.size === 0 && this.queues.get(qid) === entry) {
            if (entry.dueTimer) clearTimeout(entry.dueTimer);
            this.queues.delete(qid);
          }
          resolve();
        },
      };
      signal.addEventListener("abort", w.wake, { once: true });
      w.timer = setTimeout(w.wake, Math.max(0, until - Date.now()));
      entry.set.add(w);
      if (dueAt !== undefined && dueAt < until) this.arm(qid, dueAt);
    });
  }

  /** Wake up to `count` waiters of `qid`, longest-waiting first. */
  notify(qid: string, count = Infinity): void {
    this.generation++;
    const q = this.queues.get(qid);
    if (!q) return;
    let n = 0;
    for (const w of [...q.set]) {
      if (n++ >= count) break;
      w.wake();
    }
  }

  /** Wake one waiter of `qid` at `atMs` (kept if an earlier one is already armed). */
  private arm(qid: string, atMs: number): void {
    const q = this.queues.get(qid);
    if (!q || atMs >= q.dueAt) return;
    if (q.dueTimer) clearTimeout(q.dueTimer);
    q.dueAt = atMs;
    q.dueTimer = setTimeout(() => {
      q.dueTimer = undefined;
      q.dueAt = Infinity;
      this.notify(qid, 1);
    }, Math.max(0, atMs - Date.now()));
  }

  private due(qid: string, atMs: number): void {
    if (atMs <= Date.now()) this.notify(qid, 1);
    else this.arm(qid, atMs);
  }

  ensureWatching(): void {
    if (this.running || this.stopped) return;
    this.abort = new AbortController();
    this.running = this.watchLoop(this.abort.signal);
  }

  private async watchLoop(signal: AbortSignal): Promise<void> {
    const prefix = indexWatchPrefix();
    while (!signal.aborted) {
      try {
        for await (const ev of this.store.watch(prefix, signal)) {
          // The watch may have missed changes: every waiter re-reads.
          if (coversWholePrefix(ev, prefix)) {
            this.generation++;
            for (const qid of [...this.queues.keys()]) this.notify(qid);
            continue;
          }
          if (ev.type !== "put") continue;
          // Nobody waits in this process (the common case under send load): a wake-up has
          // no one to wake, so skip decoding the key. Moving the generation still makes a
          // receiver that is between its scan and its wait look again.
          if (this.queues.size === 0) {
            this.generation++;
            continue;
          }
          const e = decodeIndexKey(ev.key);
          if (e) this.due(e.qid, e.atMs);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.logger.warn({ err }, "sqs long-poll watch failed; reconnecting");
      }
      if (signal.aborted) break;
      // A broken watch may have missed wake-ups: wake everyone to re-read, then resume.
      for (const qid of [...this.queues.keys()]) this.notify(qid);
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    for (const qid of [...this.queues.keys()]) this.notify(qid);
    await this.running?.catch(() => {});
    this.running = undefined;
  }
}
