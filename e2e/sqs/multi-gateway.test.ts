// Two gateway processes on one etcd cluster: a receive waiting on gateway A
// returns within 250 ms of a send through gateway B, and high-throughput FIFO keeps store
// write conflicts on the send path under 1% with 32 concurrent senders over 8 groups.
// etcd only: the embedded store is one process's; only etcd is shared by many gateways.

import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcdCluster, type EtcdCluster } from "../../kvclient/testing/etcd-cluster.ts";
import { clientConfigFor } from "../harness/both-backends.ts";
import { startGateway, type GatewayProcess } from "../harness/gateway.ts";

let cluster: EtcdCluster;
let a: GatewayProcess;
let b: GatewayProcess;

beforeAll(async () => {
  cluster = await startEtcdCluster();
  [a, b] = await Promise.all([
    startGateway({ backend: "etcd", etcdEndpoints: cluster.endpoints }),
    startGateway({ backend: "etcd", etcdEndpoints: cluster.endpoints }),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await cluster?.close();
});

async function sendConflicts(g: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${g.endpoint}/metrics`)).text();
  let n = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("kv_write_conflicts_total{") && line.includes('family="sqs.send"')) n += Number(line.split(" ").pop());
  }
  return n;
}

const HT_ATTRS = {
  FifoQueue: "true",
  ContentBasedDeduplication: "true",
  DeduplicationScope: "messageGroup",
  FifoThroughputLimit: "perMessageGroupId",
};

/** 32 senders over 8 groups for `total` messages; then drain. Returns msgs/s of each phase. */
let loadRun = 0;

async function load(client: SQSClient, QueueUrl: string, total: number): Promise<{ sendRate: number; recvRate: number; order: boolean }> {
  // Bodies must differ between runs: the queues deduplicate on content for 5 minutes.
  const run = ++loadRun;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      while (next < total) {
        const i = next++;
        await client.send(new SendMessageCommand({ QueueUrl, MessageBody: `${run}:${w}:${i}`, MessageGroupId: `g${i % 8}` }));
      }
    }),
  );
  const sendRate = total / ((performance.now() - t0) / 1000);
  const t1 = performance.now();
  let got = 0;
  const lastSeq = new Map<string, bigint>();
  let order = true;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (got < total && performance.now() - t1 < 120_000) {
        const r = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["MessageGroupId", "SequenceNumber"] }));
        const msgs = r.Messages ?? [];
        for (const m of msgs) {
          const g = m.Attributes!.MessageGroupId!;
          const s = BigInt(m.Attributes!.SequenceNumber!);
          if ((lastSeq.get(g) ?? -1n) >= s) order = false;
          lastSeq.set(g, s);
        }
        got += msgs.length;
        if (msgs.length) await client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: msgs.map((m, i) => ({ Id: `${i}`, ReceiptHandle: m.ReceiptHandle })) }));
      }
    }),
  );
  const recvRate = got / ((performance.now() - t1) / 1000);
  expect(got).toBe(total);
  return { sendRate, recvRate, order };
}

describe("sqs across gateways [etcd]", () => {
  it("a receive waiting on gateway A returns within 250 ms of a send on gateway B", async () => {
    const ca = new SQSClient(clientConfigFor(a));
    const cb = new SQSClient(clientConfigFor(b));
    const { QueueUrl } = await ca.send(new CreateQueueCommand({ QueueName: "cross" }));
    const lags: number[] = [];
    for (let i = 0; i < 5; i++) {
      const waiting = ca.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 })).then((r) => ({ r, at: performance.now() }));
      await new Promise((r) => setTimeout(r, 400));
      await cb.send(new SendMessageCommand({ QueueUrl, MessageBody: `x${i}` }));
      // From the moment the send is acknowledged (the receive may even answer first).
      const sentAt = performance.now();
      const { r, at } = await waiting;
      expect(r.Messages?.[0]?.Body).toBe(`x${i}`);
      lags.push(Math.max(0, at - sentAt));
      await ca.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: "0", ReceiptHandle: r.Messages![0]!.ReceiptHandle! }] }));
    }
    console.log(`cross-gateway wake-up after send (ms): ${lags.map((l) => l.toFixed(0)).join(", ")}`);
    // The median holds the 250 ms bound; a single slow round on a loaded 2-core CI box
    // (3 etcd members, 2 gateways and the test share it) gets more room.
    const sorted = [...lags].sort((x, y) => x - y);
    expect(sorted[2]).toBeLessThan(250);
    expect(sorted[4]).toBeLessThan(1000);
    ca.destroy();
    cb.destroy();
  });

  // msgs/s with 8 partitions against 1 is a benchmark figure, not a test assertion: see
  // the HT-FIFO section of `npm run bench -- sqs`.
  it("HT-FIFO: send-path conflicts < 1% with 32 senders over 8 groups, group order kept", { timeout: 300_000 }, async () => {
    const ca = new SQSClient({ ...clientConfigFor(a), maxAttempts: 1 });
    const q8 = (await ca.send(new CreateQueueCommand({ QueueName: "ht8.fifo", Attributes: HT_ATTRS }))).QueueUrl!;
    const total = 1000;
    const rounds: { send: number; recv: number; conflicts: number; order: boolean }[] = [];
    for (let round = 0; round < 3; round++) {
      const before = await sendConflicts(a);
      const r = await load(ca, q8, total);
      rounds.push({ send: r.sendRate, recv: r.recvRate, conflicts: (await sendConflicts(a)) - before, order: r.order });
    }
    const conflicts = rounds.reduce((n, r) => n + r.conflicts, 0);
    console.log(`HT-FIFO etcd, 32 senders over 8 groups, 3 rounds of ${total}: send conflicts ${conflicts}/${3 * total}; rounds ${JSON.stringify(rounds)}`);
    expect(rounds.every((r) => r.order)).toBe(true);
    expect(conflicts / (3 * total)).toBeLessThan(0.01);
    ca.destroy();
  });
});
