// SQS beside fauxqs (in memory, no signature checks) and moto, in one run, at 32
// connections: SendMessage, SendMessageBatch(10), and ReceiveMessage(10) followed by
// DeleteMessageBatch (msgs/s). Targets on the embedded store: ≥ 0.8 × fauxqs on sends,
// ≥ 2 × on receive+delete. The send workloads run first and fill the queues.

import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { BenchOptions } from "./options.ts";
import type { Workload } from "./lib/compare.ts";
import { runSection } from "./lib/section.ts";
import type { Section } from "./lib/report.ts";
import { clientConfig, REGION, signedJson } from "./lib/requests.ts";
import { startAll, startFauxqs, startGatewayEmbedded, startGatewayOnEtcd, startMoto, stopAll, prepareAll, MOTO_NOTE, type SystemUnderTest } from "./lib/systems.ts";

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
    return [section];
  } finally {
    await stopAll(systems);
  }
}
