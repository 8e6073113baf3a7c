import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { DepthObserver, DepthTracker, PartitionCounter, QUEUE_LABEL_CAPACITY, sqsMetrics, type DepthSnapshot } from "./metrics.ts";
import type { QueueRecord } from "./keyspace.ts";

async function series(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const m = registry.getSingleMetric(name);
  if (!m) return [];
  return (await m.get()).values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

const snap = (queue: string, visible = 1, notVisible = 0, delayed = 0): DepthSnapshot => ({ queue, visible, notVisible, delayed });

async function depthOf(registry: Registry): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of await series(registry, "sqs_queue_messages")) {
    const q = String(s.labels.queue);
    (out[q] ??= {})[String(s.labels.state)] = s.value;
  }
  return out;
}

const queue = (name: string, ht: boolean): QueueRecord => ({
  name,
  id: "0123456789abcdef",
  created: 0,
  modified: 0,
  attrs: ht ? { DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" } : { DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" },
  tags: {},
  fifo: true,
  partitions: 8,
});

describe("partition counter", () => {
  it("counts send/receive/delete and silently drops any other action", async () => {
    const r = new Registry();
    const c = new PartitionCounter(r);
    c.inc("q", 3, "send");
    c.inc("q", 3, "receive", 2);
    c.inc("q", 3, "delete");
    c.inc("q", 3, "purge");
    c.inc("q", 3, "SEND");
    const s = await series(r, "sqs_partition_messages_total");
    expect(s.map((x) => [x.labels.action, x.value]).sort()).toEqual([["delete", 1], ["receive", 2], ["send", 1]]);
    expect(s.every((x) => x.labels.partition === "3" && x.labels.queue === "q")).toBe(true);
  });

  it("counts only high-throughput FIFO queues", async () => {
    const r = new Registry();
    const m = sqsMetrics(new PartitionCounter(r));
    m.partitionOp(queue("plain.fifo", false), "g", "send");
    m.partitionOp(queue("ht.fifo", true), "g", "send");
    m.partitionOps(queue("ht.fifo", true), 2, "receive", 3);
    const s = await series(r, "sqs_partition_messages_total");
    expect(s.map((x) => x.labels.queue)).toEqual(["ht.fifo", "ht.fifo"]);
  });

  it("tracks 512 queue names, then uses _other, and never frees a slot", async () => {
    const r = new Registry();
    const c = new PartitionCounter(r);
    for (let i = 0; i < QUEUE_LABEL_CAPACITY; i++) c.inc(`q${i}`, 0, "send");
    c.inc("late", 0, "send");
    c.inc("later", 0, "send");
    const s = await series(r, "sqs_partition_messages_total");
    const names = new Set(s.map((x) => String(x.labels.queue)));
    expect(names.size).toBe(QUEUE_LABEL_CAPACITY + 1);
    expect(names.has("late")).toBe(false);
    expect(s.find((x) => x.labels.queue === "_other")!.value).toBe(2);
    c.inc("q0", 0, "send");
    expect(s.length).toBe(QUEUE_LABEL_CAPACITY + 1);
  });
});

describe("depth tracker", () => {
  it("sets three states per queue and clamps negatives to 0", async () => {
    const r = new Registry();
    const t = new DepthTracker(r);
    t.apply([snap("a", 5, -2, 3)], true);
    expect(await depthOf(r)).toEqual({ a: { visible: 5, not_visible: 0, delayed: 3 } });
  });

  it("ok=false leaves gauges and the last-seen set untouched", async () => {
    const r = new Registry();
    const t = new DepthTracker(r);
    t.apply([snap("a", 1), snap("b", 2)], true);
    t.apply([], false);
    expect(Object.keys(await depthOf(r)).sort()).toEqual(["a", "b"]);
    // The last-seen set survived: dropping "b" on the next good snapshot deletes its series.
    t.apply([snap("a", 1)], true);
    expect(Object.keys(await depthOf(r))).toEqual(["a"]);
  });

  it("ok=true with an empty list forgets every queue", async () => {
    const r = new Registry();
    const t = new DepthTracker(r, 1);
    t.apply([snap("a"), snap("b")], true);
    expect(Object.keys(await depthOf(r)).sort()).toEqual(["_other", "a"]);
    t.apply([], true);
    expect(await depthOf(r)).toEqual({});
  });

  it("overflows into _other as a sum, frees a slot when its queue disappears, and promotes an overflow queue", async () => {
    const r = new Registry();
    const t = new DepthTracker(r, 2);
    t.apply([snap("a", 1), snap("b", 2), snap("c", 4), snap("d", 8)], true);
    let d = await depthOf(r);
    expect(Object.keys(d).sort()).toEqual(["_other", "a", "b"]);
    expect(d._other!.visible).toBe(12);
    // "a" disappears: its three series go and "c" takes the freed slot under its own name.
    t.apply([snap("b", 2), snap("c", 4), snap("d", 8)], true);
    d = await depthOf(r);
    expect(Object.keys(d).sort()).toEqual(["_other", "b", "c"]);
    expect(d.c).toEqual({ visible: 4, not_visible: 0, delayed: 0 });
    expect(d._other!.visible).toBe(8);
    expect((await series(r, "sqs_queue_messages")).filter((s) => s.labels.queue === "a")).toEqual([]);
  });

  it("keeps _other while overflow queues remain and deletes it when the last one goes", async () => {
    const r = new Registry();
    const t = new DepthTracker(r, 1);
    t.apply([snap("a", 1), snap("x", 2), snap("y", 3)], true);
    expect((await depthOf(r))._other!.visible).toBe(5);
    t.apply([snap("a", 1), snap("y", 3)], true);
    expect((await depthOf(r))._other!.visible).toBe(3);
    t.apply([snap("a", 1)], true);
    expect(Object.keys(await depthOf(r))).toEqual(["a"]);
  });

  it("interleaves forget and overflow: a tracked queue leaving while a new one arrives", async () => {
    const r = new Registry();
    const t = new DepthTracker(r, 2);
    t.apply([snap("a"), snap("b"), snap("z", 7)], true);
    t.apply([snap("b"), snap("z", 7), snap("new", 9)], true);
    const d = await depthOf(r);
    // The freed slot goes to a queue by name order; the other overflows.
    expect(Object.keys(d).sort()).toEqual(["_other", "b", "new"]);
    expect(d._other!.visible).toBe(7);
  });

  it("budget: exactly 512 queues by name", async () => {
    const r = new Registry();
    const t = new DepthTracker(r);
    const snaps = Array.from({ length: QUEUE_LABEL_CAPACITY + 3 }, (_, i) => snap(`q${String(i).padStart(4, "0")}`, 1));
    t.apply(snaps, true);
    const d = await depthOf(r);
    expect(Object.keys(d).length).toBe(QUEUE_LABEL_CAPACITY + 1);
    expect(d._other!.visible).toBe(3);
  });
});

describe("depth observer", () => {
  it("observes at start, then on its interval; failures leave gauges as they were", async () => {
    const r = new Registry();
    const t = new DepthTracker(r);
    let calls = 0;
    const answers: ({ snapshots: DepthSnapshot[]; ok: boolean } | Error)[] = [
      { snapshots: [snap("a", 1)], ok: true },
      { snapshots: [], ok: false },
      new Error("store down"),
      { snapshots: [snap("a", 2)], ok: true },
    ];
    const o = new DepthObserver(async () => {
      const a = answers[Math.min(calls++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return a;
    }, t, 50);
    await o.start();
    expect(calls).toBe(1);
    expect((await depthOf(r)).a!.visible).toBe(1);
    await new Promise((res) => setTimeout(res, 130));
    expect((await depthOf(r)).a!.visible).toBe(1);
    await new Promise((res) => setTimeout(res, 200));
    expect((await depthOf(r)).a!.visible).toBe(2);
    await o.stop();
  });
});
