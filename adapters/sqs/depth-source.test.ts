import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { depthSource } from "./depth-source.ts";
import { WaitHub } from "./long-poll.ts";
import { SqsService } from "./service.ts";
import { startHarness, type Harness } from "./test-support.ts";

let h: Harness;
beforeAll(async () => {
  // Not started: the adapter's own observer would otherwise hold the depth lease.
  h = await startHarness({ start: false });
});
afterAll(async () => {
  await h.close();
});

function service(intervalMs: number): SqsService {
  const noop = { partitionOp() {}, partitionOps() {} };
  return new SqsService(h.store, "us-east-1", "000000000000", pino({ level: "silent" }), { fifoPartitions: 4, reaperIntervalMs: 1000, depthIntervalMs: intervalMs }, new WaitHub(h.store, pino({ level: "silent" })), noop);
}

describe("depth source", () => {
  it("lets exactly one process emit; the others report ok and nothing; a lapsed lease moves", async () => {
    await h.json("CreateQueue", { QueueName: "d1" });
    await h.json("SendMessage", { QueueUrl: "http://x/000000000000/d1", MessageBody: "a" });
    await h.json("CreateQueue", { QueueName: "d2.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } });
    await h.json("SendMessage", { QueueUrl: "http://x/000000000000/d2.fifo", MessageBody: "a", MessageGroupId: "g" });
    // A 3 s lease (3 intervals of 1 s): long enough that a loaded machine cannot let it
    // lapse between the checks below.
    const a = depthSource(service(1000), "A");
    const b = depthSource(service(1000), "B");
    const signal = new AbortController().signal;
    const first = await a(signal);
    const second = await b(signal);
    expect(first.ok && second.ok).toBe(true);
    expect(first.snapshots.length).toBeGreaterThan(0);
    expect(second.snapshots).toEqual([]);
    const holder = a;
    const other = b;
    const snap = (await holder(signal)).snapshots;
    expect(snap.find((s) => s.queue === "d1")).toEqual({ queue: "d1", visible: 1, notVisible: 0, delayed: 0 });
    expect(snap.find((s) => s.queue === "d2.fifo")?.visible).toBe(1);
    expect((await other(signal)).snapshots).toEqual([]);
    // The holder stops renewing: after its lease (3 intervals) lapses, the other takes over.
    await new Promise((r) => setTimeout(r, 3200));
    expect((await other(signal)).snapshots.length).toBeGreaterThan(0);
    expect((await holder(signal)).snapshots).toEqual([]);
  });
});
