// The depth observer's snapshot source. Only the process holding the "depth" lease reads
// the store; the others answer ok=true with nothing, so a process that loses the role
// clears its gauges. Counting is index-only and runs a few queues at a time.

import { decodeJson, queuesRange, type QueueRecord } from "./keyspace.ts";
import type { DepthSnapshot, SnapshotSource } from "./metrics.ts";
import { holdLease, PROCESS_ID } from "./lease.ts";
import { queueCounts } from "./ops/counts.ts";
import type { SqsService } from "./service.ts";

const CONCURRENCY = 2;
const PAGE = 256;
/**
 * Share of the event loop a snapshot may take. After each slice of queues it rests three
 * times as long as the slice ran, so requests served meanwhile never queue behind more
 * than one short slice and the snapshot's cost is spread over its interval.
 */
const DUTY_CYCLE = 0.25;

export function depthSource(svc: SqsService, owner = PROCESS_ID): SnapshotSource {
  return async (signal) => {
    let leader: boolean;
    try {
      leader = await holdLease(svc.store, "depth", svc.options.depthIntervalMs * 3, signal, owner);
    } catch {
      return { snapshots: [], ok: false };
    }
    if (!leader) return { snapshots: [], ok: true };
    try {
      return { snapshots: await snapshotAll(svc, signal), ok: true };
    } catch {
      return { snapshots: [], ok: false };
    }
  };
}

export async function snapshotAll(svc: SqsService, signal: AbortSignal): Promise<DepthSnapshot[]> {
  const out: DepthSnapshot[] = [];
  const { end } = queuesRange();
  let start = queuesRange().start;
  for (;;) {
    const page = await svc.store.scan({ start, end, limit: PAGE, signal, consistency: "serializable" });
    const queues = page.kvs.map((kv) => decodeJson<QueueRecord>(kv.value));
    for (let i = 0; i < queues.length; i += CONCURRENCY) {
      const slice = queues.slice(i, i + CONCURRENCY);
      const started = performance.now();
      const now = Date.now();
      const counts = await Promise.all(slice.map((q) => queueCounts(svc.store, q, now, signal)));
      slice.forEach((q, j) => out.push({ queue: q.name, ...counts[j]! }));
      // An embedded store answers counts without real I/O, so an unpaced snapshot would
      // run as one unbroken chain of microtasks and stall every request meanwhile.
      const rest = ((performance.now() - started) * (1 - DUTY_CYCLE)) / DUTY_CYCLE;
      await new Promise((r) => (rest >= 1 ? setTimeout(r, rest) : setImmediate(r)));
    }
    if (!page.more || page.kvs.length === 0) break;
    const last = page.kvs[page.kvs.length - 1]!.key;
    start = new Uint8Array([...last, 0]);
  }
  return out;
}
