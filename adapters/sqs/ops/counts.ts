// Approximate depth from the time index: counts only, never message bodies, so the cost
// of GetQueueAttributes and the depth observer stays bounded by index size, not payload.
//
// Expired messages keep their index entry until the reaper or a receive drops them. An
// entry's time is never before its message's send (it is the send, send + delay, or a
// later receive, visibility change or redrive), so a due entry older than the retention
// period is certainly expired: visible counts start there, which leaves out the common
// case (expired, never received) at no extra cost. A message sent long ago but received
// or redriven recently is still counted: telling it apart needs its record, i.e. a scan.

import { retentionMs } from "../attributes.ts";
import type { Store } from "../../../kvclient/store.ts";
import { indexFutureRange, indexWindowRange, type QueueRecord } from "../keyspace.ts";

export interface QueueCounts {
  visible: number;
  notVisible: number;
  delayed: number;
}

export async function queueCounts(store: Store, q: QueueRecord, now: number, signal: AbortSignal): Promise<QueueCounts> {
  const opts = { signal, consistency: "serializable" as const };
  const expiredBy = now - retentionMs(q.attrs);
  const perPartition = await Promise.all(
    Array.from({ length: q.partitions }, async (_, p) => {
      const [readyDue, readyLater, delayedDue, delayedLater] = await Promise.all([
        store.count(indexWindowRange(q.id, p, "a", expiredBy, now), opts),
        store.count(indexFutureRange(q.id, p, "a", now), opts),
        store.count(indexWindowRange(q.id, p, "d", expiredBy, now), opts),
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
