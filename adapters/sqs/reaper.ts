// Background reclamation, in bounded batches, by whichever process holds the "reaper"
// lease: keys of deleted/purged queue ids, messages past MessageRetentionPeriod, expired
// FIFO dedup entries, and deleted-queue name marks past their 60 s. Every step is an
// idempotent transaction, so a crash or a lease hand-over mid-way only delays the work.

import {
  decodeGraveKey,
  decodeJson,
  attemptsRange,
  dedupRange,
  deletedQueuesRange,
  gravesRange,
  indexKey,
  messageKey,
  messagesRange,
  queueDataRanges,
  queuesRange,
  type DedupRecord,
  type MessageRecord,
  type QueueRecord,
} from "./keyspace.ts";
import { messageIdTime } from "./ids.ts";
import { retentionMs } from "./attributes.ts";
import { holdLease } from "./lease.ts";
import { readGroupState, refreshHead, removeFromGroup } from "./fifo-groups.ts";
import type { SqsService } from "./service.ts";
import { Periodic } from "./periodic.ts";

export class Reaper {
  private readonly loop: Periodic;

  constructor(private readonly svc: SqsService) {
    this.loop = new Periodic("sqs reaper pass failed", () => this.svc.options.reaperIntervalMs, (signal) => this.runOnce(signal), svc.logger);
  }

  private get batch(): number {
    return Math.max(8, Math.min(256, Math.floor(this.svc.store.limits.maxTxnOps / 4)));
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One full pass; public so tests can drive it. */
  async runOnce(signal = this.loop.signal, force = false): Promise<void> {
    if (!force && !(await holdLease(this.svc.store, "reaper", this.svc.options.reaperIntervalMs * 3, signal))) return;
    await this.reapGraves(signal);
    await this.reapExpiring(deletedQueuesRange(), signal);
    const queues = await this.svc.store.scan({ ...queuesRange(), signal });
    for (const kv of queues.kvs) {
      // Embedded reads resolve without I/O: yield per queue so a pass never blocks requests.
      await new Promise((r) => setImmediate(r));
      const q = decodeJson<QueueRecord>(kv.value);
      await this.reapRetention(q, signal);
      if (q.fifo) {
        await this.reapExpiring(dedupRange(q.id), signal);
        await this.reapExpiring(attemptsRange(q.id), signal);
      }
    }
  }

  private async reapGraves(signal: AbortSignal): Promise<void> {
    const graves = await this.svc.store.scan({ ...gravesRange(), limit: 100, keysOnly: true, signal });
    for (const g of graves.kvs) {
      const qid = decodeGraveKey(g.key);
      if (!qid) continue;
      for (const range of queueDataRanges(qid)) {
        for (;;) {
          const page = await this.svc.store.scan({ ...range, limit: this.batch, keysOnly: true, signal });
          if (page.kvs.length === 0) break;
          await this.svc.store.transact(
            async (txn) => {
              for (const kv of page.kvs) txn.delete(kv.key);
            },
            { signal, family: "sqs.reaper" },
          );
          if (!page.more) break;
        }
      }
      await this.svc.store.transact(async (txn) => txn.delete(g.key), { signal, family: "sqs.reaper" });
    }
  }

  async reapRetention(q: QueueRecord, signal: AbortSignal): Promise<void> {
    const cutoff = Date.now() - retentionMs(q.attrs);
    for (let p = 0; p < q.partitions; p++) {
      for (;;) {
        const page = await this.svc.store.scan({ ...messagesRange(q.id, p), limit: this.batch, signal });
        const expired = page.kvs
          .map((kv) => decodeJson<MessageRecord>(kv.value))
          .filter((m) => messageIdTime(m.id) <= cutoff + 1 && m.sent <= cutoff);
        if (expired.length === 0) break;
        for (const m of expired) await this.expire(q, p, m, cutoff, signal);
        if (expired.length < page.kvs.length || !page.more) break;
      }
    }
  }

  private async expire(q: QueueRecord, p: number, m: MessageRecord, cutoff: number, signal: AbortSignal): Promise<void> {
    await this.svc.store.transact(
      async (txn) => {
        const raw = await txn.get(messageKey(q.id, p, m.id));
        if (!raw) return;
        const cur = decodeJson<MessageRecord>(raw);
        if (cur.sent > cutoff) return;
        if (q.fifo && cur.group !== undefined) {
          const state = await readGroupState(txn, q, p, cur.group);
          if (state) {
            removeFromGroup(txn, q, p, cur, state);
            await refreshHead(txn, q, p, cur.group, state);
            return;
          }
        }
        txn.delete(messageKey(q.id, p, cur.id));
        txn.delete(indexKey(q.id, p, cur.kind, cur.vis, cur.id));
      },
      { signal, family: "sqs.reaper" },
    );
  }

  /** Delete records of a range whose `expires` has passed (dedup windows, receive attempts). */
  private async reapExpiring(range: { start: Uint8Array; end: Uint8Array }, signal: AbortSignal): Promise<void> {
    let start = range.start;
    for (;;) {
      const page = await this.svc.store.scan({ start, end: range.end, limit: this.batch, signal });
      const now = Date.now();
      const stale = page.kvs.filter((kv) => decodeJson<DedupRecord>(kv.value).expires <= now);
      if (stale.length > 0) {
        await this.svc.store.transact(
          async (txn) => {
            for (const kv of stale) {
              const cur = await txn.get(kv.key);
              if (cur && decodeJson<DedupRecord>(cur).expires <= Date.now()) txn.delete(kv.key);
            }
          },
          { signal, family: "sqs.reaper" },
        );
      }
      if (!page.more || page.kvs.length === 0) break;
      start = new Uint8Array([...page.kvs[page.kvs.length - 1]!.key, 0]);
    }
  }
}
