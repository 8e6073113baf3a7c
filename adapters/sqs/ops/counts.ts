// Approximate depth from the time index: counts only, never message bodies, so the cost
// of GetQueueAttributes and the depth observer stays bounded by index size, not payload.

import type { Store } from "../../../kvclient/store.ts";
import { indexDueRange, indexFutureRange, type QueueRecord } from "../keyspace.ts";

export interface QueueCounts {
  visible: number;
  notVisible: number;
  delayed: number;
}

export async function queueCounts(store: Store, q: QueueRecord, now: number, signal: AbortSignal): Promise<QueueCounts> {
  const opts = { signal, consistency: "serializable" as const };
  const perPartition = await Promise.all(
    Array.from({ length: q.partitions }, async (_, p) => {
      const [readyDue, readyLater, delayedDue, delayedLater] = await Promise.all([
        store.count(indexDueRange(q.id, p, "a", now), opts),
        store.count(indexFutureRange(q.id, p, "a", now), opts),
        store.count(indexDueRange(q.id, p, "d", now), opts),
        store.count(indexFutureRange(q.id, p, "d", now), opts),
      ]);
      return { visible: readyDue + delayedDue, notVisible: readyLater, delayed: delayedLater };
    }),
  );
  return perPartition.reduce(
    (acc, c) => ({ visible: acc.visible + c.visible, notVisible: acc.notVisible + c.notVisible, delayed: acc.delayed + c.delayed }),
    { visible: 0, notVisible: 0, delayed: 0 },
  );
}
