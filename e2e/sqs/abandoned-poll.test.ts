// A long poll whose client goes away must stop waiting: if it went on, the next send would
// wake it, and it would take the message out of sight of every live receiver for a whole
// visibility timeout, with nobody to read it.

import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";

describeBothBackends("sqs abandoned long polls", (ctx) => {
  it("a receive abandoned by its client takes no message sent afterwards", async () => {
    const sqs = new SQSClient(ctx().clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "abandoned" }));
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const abandoned = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), { abortSignal: ac.signal }).catch((err: unknown) => err);
      await new Promise((r) => setTimeout(r, 300));
      ac.abort();
      expect(await abandoned).toMatchObject({ name: "AbortError" });
    }
    // Give the gateway a moment to see the connections close.
    await new Promise((r) => setTimeout(r, 300));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "for the living" }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(["for the living"]);
    sqs.destroy();
  });
});
