// FIFO sends to one message group from this process are coalesced: while one transaction
// for the group is committing, later sends wait and then commit together, in arrival
// order, in the next one. Sends of a group therefore never conflict with each other inside
// a process (they would all read and write the group's state key), and a hot group
// commits many messages per round trip instead of one.

import type { Store } from "../../kvclient/store.ts";
import { appendToGroup } from "./fifo-groups.ts";
import { decodeJson, dedupKey, encodeJson, type DedupRecord, type MessageRecord, type QueueRecord } from "./keyspace.ts";

export const DEDUP_WINDOW_MS = 5 * 60_000;
const MAX_PER_COMMIT = 16;

interface Pending {
  q: QueueRecord;
  rec: MessageRecord;
  resolve: (r: MessageRecord) => void;
  reject: (e: unknown) => void;
}

export class FifoSendQueue {
  private readonly pending = new Map<string, Pending[]>();

  constructor(private readonly store: Store) {}

  send(q: QueueRecord, rec: MessageRecord): Promise<MessageRecord> {
    const key = `${q.id}\u0000${rec.group!}`;
    return new Promise<MessageRecord>((resolve, reject) => {
      const list = this.pending.get(key);
      const item = { q, rec, resolve, reject };
      if (list) {
        list.push(item);
        return;
      }
      this.pending.set(key, [item]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const list = this.pending.get(key)!;
      if (list.length === 0) {
        this.pending.delete(key);
        return;
      }
      const batch = this.takeBatch(list);
      try {
        const results = await this.commit(batch);
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  private takeBatch(list: Pending[]): Pending[] {
    const budget = Math.floor(this.store.limits.maxRequestBytes / 2);
    let bytes = 0;
    let n = 0;
    while (n < list.length && n < MAX_PER_COMMIT) {
      const size = list[n]!.rec.body.length * 3 + 4096;
      if (n > 0 && bytes + size > budget) break;
      bytes += size;
      n++;
    }
    return list.splice(0, n);
  }

  /** One transaction for the batch: each entry is a dedup hit or takes the next sequence number. */
  private commit(batch: Pending[]): Promise<MessageRecord[]> {
    return this.store.transact(
      async (txn) => {
        const now = Date.now();
        const out: MessageRecord[] = [];
        for (const { q, rec } of batch) {
          const scope = q.attrs.DeduplicationScope === "messageGroup" ? `g:${rec.group!}` : "q";
          const dk = dedupKey(q.id, scope, rec.dedupId!);
          const hit = await txn.get(dk);
          if (hit) {
            const d = decodeJson<DedupRecord>(hit);
            if (d.expires > now) {
              out.push({ ...rec, id: d.messageId, seq: d.seq, kind: "d" });
              continue;
            }
          }
          const stored = await appendToGroup(txn, q, rec, now);
          txn.put(dk, encodeJson({ messageId: stored.id, seq: stored.seq!, expires: now + DEDUP_WINDOW_MS } satisfies DedupRecord));
          out.push(stored);
        }
        return out;
      },
      { family: "sqs.send" },
    );
  }
}
