// SQS beside fauxqs (in memory, no signature checks) and moto, in one run, at 32
// connections: SendMessage, SendMessageBatch(10), and ReceiveMessage(10) followed by
// DeleteMessageBatch (msgs/s). Targets on the embedded store: ≥ 0.8 × fauxqs on sends,
// ≥ 2 × on receive+delete. The send workloads run first and fill the queues.
//
// Then HT-FIFO scaling on etcd: SendMessage from 32 connections over 8 message groups to a
// queue with 8 partitions and to one with 1 (two gateways on one 3-member cluster, the
// second with SQS_FIFO_PARTITIONS=1). Issue 5 asks for 8 partitions ≥ 1 partition.

import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { BenchOptions } from "./options.ts";
import type { Workload } from "./lib/compare.ts";
import { runSection } from "./lib/section.ts";
import type { Section } from "./lib/report.ts";
import { clientConfig, REGION, signedJson } from "./lib/requests.ts";
import { startAll, startFauxqs, startGatewayEmbedded, startGatewayOnEtcd, startGatewaySystem, startMoto, stopAll, prepareAll, MOTO_NOTE, type SystemUnderTest } from "./lib/systems.ts";
import { startEtcdCluster } from "../kvclient/testing/etcd-cluster.ts";

const BODY = "m".repeat(256);
const T = (op: string) => `AmazonSQS.${op}`;

export async function benchSqs(opts: BenchOptions): Promise<Section[]> {
  const systems = await startAll([startGatewayEmbedded, startFauxqs, startMoto, () => startGatewayOnEtcd()]);
  try {
    const queueUrls = new Map<SystemUnderTest, string>();
    const { ready, failed } = await prepareAll(systems, async (s) => {
      const sqs = new SQSClient(clientConfig(s));
      queueUrls.set(s, (await sqs.send(new CreateQueueCommand({ QueueName: "bench" }))).QueueUrl!);
      sqs.destroy();
    });
    const c = 32;
    const base = { connections: c, durationSeconds: opts.seconds, maxRequests: 2_000_000 };
    const workloads: Workload[] = [
      { ...base, name: `SendMessage, ${c} conn`, requests: async (s) => [await signedJson(s, "sqs", T("SendMessage"), { QueueUrl: queueUrls.get(s), MessageBody: BODY })] },
      {
        ...base,
        name: `SendMessageBatch(10), ${c} conn`,
        itemsPerRequest: 10,
        requests: async (s) => [
          await signedJson(s, "sqs", T("SendMessageBatch"), { QueueUrl: queueUrls.get(s), Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })) }),
        ],
      },
      {
        ...base,
        name: `ReceiveMessage(10) + DeleteMessageBatch, ${c} conn`,
        requests: async () => [],
        sqsReceiveDelete: async (s) => ({ queueUrl: queueUrls.get(s)!, region: REGION, credentials: s.credentials }),
      },
    ];
    const section = await runSection(
      {
        title: "SQS: gateway vs fauxqs and moto (msgs/s)",
        baseline: "fauxqs",
        notes: [
          MOTO_NOTE,
          "Targets: gateway (embedded) ≥ 0.8 × fauxqs on sends and ≥ 2 × on receive+delete; fauxqs keeps everything in memory and checks no signatures.",
          "Receive+delete counts messages deleted per second; each cycle is two requests.",
        ],
      },
      workloads,
      ready,
      failed,
      opts,
    );
    return [section, await benchHtFifo(opts)];
  } finally {
    await stopAll(systems);
  }
}

const HT_FIFO = { FifoQueue: "true", ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" };
const HT_GROUPS = 8;
/** Distinct messages per system: content-based deduplication would drop a replayed one. */
const HT_MESSAGES = 6_000;

export async function benchHtFifo(opts: BenchOptions): Promise<Section> {
  const cluster = await startEtcdCluster();
  const systems: SystemUnderTest[] = [];
  try {
    systems.push(await startGatewaySystem("1 partition", { backend: "etcd", etcdEndpoints: cluster.endpoints, env: { SQS_FIFO_PARTITIONS: "1" } }));
    systems.push(await startGatewaySystem("8 partitions", { backend: "etcd", etcdEndpoints: cluster.endpoints, env: { SQS_FIFO_PARTITIONS: "8" } }));
    const queueUrls = new Map<SystemUnderTest, string>();
    for (const [i, s] of systems.entries()) {
      const sqs = new SQSClient(clientConfig(s));
      queueUrls.set(s, (await sqs.send(new CreateQueueCommand({ QueueName: `ht${i}.fifo`, Attributes: HT_FIFO }))).QueueUrl!);
      sqs.destroy();
    }
    const c = 32;
    const workload: Workload = {
      name: `HT-FIFO SendMessage over ${HT_GROUPS} groups, ${c} conn`,
      connections: c,
      durationSeconds: opts.seconds,
      // Each message is sent once: a replay would be deduplicated, not written.
      maxRequests: HT_MESSAGES,
      freshPerRound: true,
      requests: (s) =>
        Promise.all(
          Array.from({ length: HT_MESSAGES }, (_, i) =>
            signedJson(s, "sqs", T("SendMessage"), { QueueUrl: queueUrls.get(s), MessageBody: `${BODY}-${i}-${Math.random()}`, MessageGroupId: `g${i % HT_GROUPS}` }),
          ),
        ),
    };
    return await runSection(
      {
        title: "SQS HT-FIFO on etcd: 8 partitions vs 1 (msgs/s)",
        baseline: "1 partition",
        notes: [
          "Two gateways on one 3-member etcd cluster sharing the machine's 2 cores; CPU column is the gateway process only.",
          "Target (issue 5): 8 partitions ≥ 1 partition. Send-path conflicts (< 1%) are checked by e2e/sqs/multi-gateway.test.ts.",
        ],
      },
      [workload],
      systems,
      [],
      opts,
    );
  } finally {
    await stopAll(systems);
    await cluster.close();
  }
}
