// 1,000 idle long-polling receivers cost almost no gateway CPU: each is a parked promise
// and a timer, woken by the store watch, never by a polling loop.

import { readFileSync } from "node:fs";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";
import { sendSigned, signForReplay } from "../harness/sign.ts";

const RECEIVERS = 1000;

/** User+system CPU seconds of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describeBothBackends("sqs idle long polls", (ctx) => {
  it(`${RECEIVERS} waiting receivers cost almost no CPU, and a send still wakes one`, { timeout: 90_000 }, async () => {
    const cfg = ctx().clientConfig;
    const sqs = new SQSClient(cfg);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "idle" }));
    const signed = await signForReplay({
      service: "sqs",
      region: cfg.region,
      credentials: cfg.credentials,
      endpoint: cfg.endpoint,
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ReceiveMessage" },
      body: JSON.stringify({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 1 }),
    });
    // The gateway's own idle cost (every adapter's background work) is the baseline.
    const pid = ctx().gateway.pid;
    const measure = async (ms: number) => {
      const c = cpuSeconds(pid);
      const t = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      return (cpuSeconds(pid) - c) / ((performance.now() - t) / 1000);
    };
    const baseline = await measure(4000);
    const ac = new AbortController();
    let answered = 0;
    const bodies: string[] = [];
    const pending = Array.from({ length: RECEIVERS }, () =>
      sendSigned(cfg.endpoint, signed, ac.signal)
        .then(async (r) => {
          const j = (await r.json()) as { Messages?: { Body: string }[] };
          answered++;
          for (const m of j.Messages ?? []) bodies.push(m.Body);
        })
        .catch(() => {}),
    );
    // Parking a thousand receives takes a few seconds (each scans the queue once); then
    // they should cost nothing. Wait for the CPU to settle, within their 20 s wait.
    const parkStart = performance.now();
    while ((await measure(1000)) > baseline + 0.05 && performance.now() - parkStart < 10_000);
    const share = await measure(4000);
    console.log(
      `[${ctx().backend}] parked in ${((performance.now() - parkStart) / 1000).toFixed(1)} s; gateway CPU idle ${(baseline * 100).toFixed(1)}% of a core; with ${RECEIVERS} waiting receivers ${(share * 100).toFixed(1)}%; ${answered} answered early`,
    );
    expect(answered).toBe(0);
    expect(share - baseline).toBeLessThan(0.03);
    const sentAt = performance.now();
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake one" }));
    while (bodies.length === 0 && performance.now() - sentAt < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(bodies).toEqual(["wake one"]);
    console.log(`[${ctx().backend}] woken after ${(performance.now() - sentAt).toFixed(0)} ms`);
    ac.abort();
    await Promise.all(pending);
    sqs.destroy();
  });
});
