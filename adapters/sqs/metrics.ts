// SQS's bounded metrics.
//
// sqs_partition_messages_total{queue,partition,action}: successful send/receive/delete on
// high-throughput FIFO queues. Any other action is dropped. 512 queue names at most; the
// rest count under "_other". Counter slots are never freed (counters are cumulative).
//
// sqs_queue_messages{queue,state}: depth by state (visible, not_visible, delayed), clamped
// at 0, from a DepthTracker fed by the depth observer. Its own 512-name budget: a queue's
// slot and its three series go when the queue disappears; "_other" holds the sum of the
// overflow queues and is deleted when the last of them disappears.

import { Counter, Gauge, type Registry } from "prom-client";
import { LabelBudget, OTHER_LABEL } from "../../kvclient/label-budget.ts";
import { partitionOf } from "./ids.ts";
import type { QueueRecord } from "./keyspace.ts";

export const QUEUE_LABEL_CAPACITY = 512;
export const PARTITION_ACTIONS = ["send", "receive", "delete"] as const;
export type PartitionAction = (typeof PARTITION_ACTIONS)[number];
export const DEPTH_STATES = ["visible", "not_visible", "delayed"] as const;
export type DepthState = (typeof DEPTH_STATES)[number];

export function isHighThroughputFifo(q: QueueRecord): boolean {
  return q.fifo && q.attrs.DeduplicationScope === "messageGroup" && q.attrs.FifoThroughputLimit === "perMessageGroupId";
}

export class PartitionCounter {
  private readonly budget: LabelBudget;
  readonly counter: Counter<"queue" | "partition" | "action">;

  constructor(registry: Registry, capacity = QUEUE_LABEL_CAPACITY) {
    this.budget = new LabelBudget(capacity);
    this.counter = new Counter({
      name: "sqs_partition_messages_total",
      help: "Successful SendMessage/ReceiveMessage/DeleteMessage message counts per high-throughput FIFO partition",
      labelNames: ["queue", "partition", "action"],
      registers: [registry],
    });
  }

  inc(queue: string, partition: number, action: string, n = 1): void {
    if (!(PARTITION_ACTIONS as readonly string[]).includes(action) || n <= 0) return;
    this.counter.inc({ queue: this.budget.label(queue), partition: String(partition), action }, n);
  }
}

export interface DepthSnapshot {
  queue: string;
  visible: number;
  notVisible: number;
  delayed: number;
}

export class DepthTracker {
  private readonly budget: LabelBudget;
  readonly gauge: Gauge<"queue" | "state">;
  /** Every queue seen in the last successful observation. */
  private seen = new Set<string>();
  private otherEmitted = false;

  constructor(registry: Registry, capacity = QUEUE_LABEL_CAPACITY) {
    this.budget = new LabelBudget(capacity);
    this.gauge = new Gauge({
      name: "sqs_queue_messages",
      help: "Approximate messages per queue by state (visible, not_visible, delayed)",
      labelNames: ["queue", "state"],
      registers: [registry],
    });
  }

  /** Apply one observation. `ok=false` leaves everything as it was. */
  apply(snapshots: readonly DepthSnapshot[], ok: boolean): void {
    if (!ok) return;
    const current = new Map<string, DepthSnapshot>();
    for (const s of snapshots) current.set(s.queue, s);
    for (const name of this.seen) {
      if (current.has(name)) continue;
      if (this.budget.release(name)) {
        for (const state of DEPTH_STATES) this.gauge.remove({ queue: name, state });
      }
    }
    // Queues already holding a slot keep it; the rest compete for free slots in name order,
    // so an overflow queue is promoted to its own name as soon as a slot frees.
    const names = [...current.keys()].sort((a, b) => Number(this.budget.has(b)) - Number(this.budget.has(a)) || (a < b ? -1 : a > b ? 1 : 0));
    const other = { visible: 0, notVisible: 0, delayed: 0 };
    let overflow = 0;
    for (const name of names) {
      const s = current.get(name)!;
      const label = this.budget.label(name);
      if (label === OTHER_LABEL) {
        overflow++;
        other.visible += clamp(s.visible);
        other.notVisible += clamp(s.notVisible);
        other.delayed += clamp(s.delayed);
        continue;
      }
      this.set(label, s);
    }
    if (overflow > 0) {
      this.set(OTHER_LABEL, other);
      this.otherEmitted = true;
    } else if (this.otherEmitted) {
      for (const state of DEPTH_STATES) this.gauge.remove({ queue: OTHER_LABEL, state });
      this.otherEmitted = false;
    }
    this.seen = new Set(current.keys());
  }

  private set(label: string, s: Omit<DepthSnapshot, "queue">): void {
    this.gauge.set({ queue: label, state: "visible" }, clamp(s.visible));
    this.gauge.set({ queue: label, state: "not_visible" }, clamp(s.notVisible));
    this.gauge.set({ queue: label, state: "delayed" }, clamp(s.delayed));
  }
}

const clamp = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/** What the operations report; the adapter wires it to the counter. */
export interface SqsMetrics {
  partitionOp(q: QueueRecord, group: string | undefined, action: PartitionAction): void;
  partitionOps(q: QueueRecord, partition: number, action: PartitionAction, n: number): void;
}

export function sqsMetrics(counter: PartitionCounter): SqsMetrics {
  return {
    partitionOp(q, group, action) {
      if (!isHighThroughputFifo(q) || group === undefined) return;
      counter.inc(q.name, partitionOf(group, q.partitions), action, 1);
    },
    partitionOps(q, partition, action, n) {
      if (!isHighThroughputFifo(q)) return;
      counter.inc(q.name, partition, action, n);
    },
  };
}

export type SnapshotSource = (signal: AbortSignal) => Promise<{ snapshots: DepthSnapshot[]; ok: boolean }>;

/**
 * Polls a snapshot source on an interval (the first observation at start) and feeds the
 * tracker. A failed source (ok=false or a throw) leaves the gauges untouched.
 */
export class DepthObserver {
  private timer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly source: SnapshotSource,
    private readonly tracker: DepthTracker,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    this.abort = new AbortController();
    await this.observe();
    const tick = () => {
      this.timer = setTimeout(async () => {
        await this.observe();
        if (!this.abort.signal.aborted) tick();
      }, this.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  observe(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = (async () => {
      try {
        const { snapshots, ok } = await this.source(this.abort.signal);
        if (!this.abort.signal.aborted) this.tracker.apply(snapshots, ok);
      } catch {
        // A throwing source is a failed snapshot: keep the gauges as they are.
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }
}
