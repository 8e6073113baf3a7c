// A realistic consumer (sqs-consumer) drains 10,000 messages with no loss and no
// duplicates, and a gateway killed with SIGKILL loses no acknowledged send: in-flight
// messages reappear after their visibility timeout.

import { Consumer } from "sqs-consumer";
import {
  CreateQueueCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";

const TOTAL = 10_000;

async function sendAll(sqs: SQSClient, QueueUrl: string, total: number, prefix: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const start = next;
      next += 10;
      const Entries = Array.from({ length: Math.min(10, total - start) }, (_, i) => ({ Id: `e${i}`, MessageBody: `${prefix}-${start + i}` }));
      const r = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
      if (r.Failed?.length) throw new Error(`batch failed: ${JSON.stringify(r.Failed)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

describeBothBackends("sqs consumer and crash", (ctx) => {
  it("sqs-consumer processes 10,000 messages: none lost, none duplicated", { timeout: 300_000 }, async () => {
    const sqs = new SQSClient(ctx().clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "consume" }));
    const t0 = Date.now();
    await sendAll(sqs, QueueUrl!, TOTAL, "m");
    const sentMs = Date.now() - t0;
    const seen = new Map<string, number>();
    let errors = 0;
    const consumers = Array.from({ length: 3 }, () =>
      Consumer.create({
        queueUrl: QueueUrl!,
        sqs,
        batchSize: 10,
        waitTimeSeconds: 1,
        visibilityTimeout: 60,
        // stop() then waits for the poll in progress, whose batch delete follows the handler.
        pollingCompleteWaitTimeMs: 10_000,
        handleMessageBatch: async (messages) => {
          for (const m of messages) seen.set(m.Body!, (seen.get(m.Body!) ?? 0) + 1);
          return messages;
        },
      }),
    );
    for (const c of consumers) {
      c.on("error", () => errors++);
      c.on("processing_error", () => errors++);
      c.start();
    }
    const t1 = Date.now();
    while (seen.size < TOTAL && Date.now() - t1 < 240_000) await new Promise((r) => setTimeout(r, 200));
    const consumedMs = Date.now() - t1;
    // Not aborted: the last batch was seen before its delete went out, and an aborted
    // delete would leave it in flight (a race in this test, not a lost message).
    await Promise.all(consumers.map((c) => new Promise((r) => {
      c.once("stopped", r);
      c.stop();
    })));
    const dups = [...seen.values()].filter((n) => n > 1).length;
    console.log(`[${ctx().backend}] sent ${TOTAL} in ${sentMs} ms, consumed in ${consumedMs} ms, duplicates ${dups}, errors ${errors}`);
    expect(seen.size).toBe(TOTAL);
    expect(dups).toBe(0);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(attrs.Attributes!.ApproximateNumberOfMessages).toBe("0");
    expect(attrs.Attributes!.ApproximateNumberOfMessagesNotVisible).toBe("0");
    sqs.destroy();
  });

  it("kill -9 with messages in flight: acknowledged sends survive, in-flight ones reappear", { timeout: 120_000 }, async () => {
    let sqs = new SQSClient(ctx().clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "crash" }));
    await sendAll(sqs, QueueUrl!, 200, "c");
    const inFlight = new Set<string>();
    // Each in-flight message stays invisible for 8 s from its receive, the first of which
    // happened no earlier than this.
    const firstReceiveAt = Date.now();
    while (inFlight.size < 50) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 8 }));
      for (const m of r.Messages ?? []) if (inFlight.size < 50 || inFlight.has(m.Body!)) inFlight.add(m.Body!);
    }
    const killedAt = Date.now();
    await ctx().gateway.kill("SIGKILL");
    await ctx().gateway.restart();
    sqs.destroy();
    sqs = new SQSClient(ctx().clientConfig);
    const seen = new Set<string>();
    const early = new Set<string>();
    while (seen.size < 200 && Date.now() - killedAt < 30_000) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 1 }));
      for (const m of r.Messages ?? []) {
        seen.add(m.Body!);
        if (Date.now() < firstReceiveAt + 7_800 && inFlight.has(m.Body!)) early.add(m.Body!);
      }
    }
    expect(seen.size).toBe(200);
    // Messages received before the crash stayed invisible until their timeout ran out
    // (checked for as long as the restart left of their 8 s).
    expect(Date.now()).toBeGreaterThan(firstReceiveAt + 7_800);
    expect(early.size).toBe(0);
    sqs.destroy();
  });

  it("a message move task honours its rate and survives kill -9 of the gateway", { timeout: 120_000 }, async () => {
    let sqs = new SQSClient(ctx().clientConfig);
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "mt-dlq" }));
    const dlqArn = `arn:aws:sqs:us-east-1:000000000000:mt-dlq`;
    const src = await sqs.send(
      new CreateQueueCommand({ QueueName: "mt-src", Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }),
    );
    await sendAll(sqs, src.QueueUrl!, 40, "t");
    // First receive counts 1; the next receive of each message dead-letters it.
    for (let i = 0; i < 40; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      if (!r.Messages?.length) break;
    }
    const dlqCount = async () =>
      Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }))).Attributes!.ApproximateNumberOfMessages);
    expect(await dlqCount()).toBe(40);
    const started = Date.now();
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 8 }));
    await new Promise((r) => setTimeout(r, 1500));
    await ctx().gateway.kill("SIGKILL");
    await ctx().gateway.restart();
    sqs.destroy();
    sqs = new SQSClient(ctx().clientConfig);
    let status = "RUNNING";
    let moved = 0;
    while (status === "RUNNING" && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 500));
      const t = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results![0]!;
      status = t.Status!;
      moved = t.ApproximateNumberOfMessagesMoved ?? 0;
    }
    const elapsed = Date.now() - started;
    expect(status).toBe("COMPLETED");
    expect(moved).toBe(40);
    // 40 messages at 8/s need at least ~4 s however the restart fell.
    expect(elapsed).toBeGreaterThanOrEqual(4000);
    expect(await dlqCount()).toBe(0);
    const back = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src.QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
    expect(back.Attributes!.ApproximateNumberOfMessages).toBe("40");
    sqs.destroy();
  });
});
