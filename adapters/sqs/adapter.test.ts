// The operations end to end through handle(), on a real embedded store.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./test-support.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Msg = { MessageId: string; ReceiptHandle: string; Body: string; Attributes?: Record<string, string>; MD5OfBody: string };

async function create(name: string, attrs: Record<string, string> = {}): Promise<string> {
  const r = await h.json("CreateQueue", { QueueName: name, Attributes: attrs });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.QueueUrl as string;
}

async function receive(url: string, extra: Record<string, unknown> = {}): Promise<Msg[]> {
  const r = await h.json("ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 10, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.Messages as Msg[] | undefined) ?? [];
}

describe("queues", () => {
  it("creates idempotently, rejects conflicting attributes, and lists by prefix", async () => {
    const url = await create("alpha", { VisibilityTimeout: "40" });
    expect(url).toBe("http://127.0.0.1:4566/000000000000/alpha");
    expect(await create("alpha", { VisibilityTimeout: "40" })).toBe(url);
    const clash = await h.json("CreateQueue", { QueueName: "alpha", Attributes: { VisibilityTimeout: "41" } });
    expect(clash.status).toBe(400);
    expect(clash.body.__type).toBe("com.amazonaws.sqs#QueueNameExists");
    expect(clash.headers.get("x-amzn-query-error")).toBe("QueueAlreadyExists;Sender");
    // AWS names the first differing attribute (in request order), not the queue.
    expect(clash.body.message).toBe("A queue already exists with the same name and a different value for attribute VisibilityTimeout");
    const two = await h.json("CreateQueue", { QueueName: "alpha", Attributes: { VisibilityTimeout: "40", DelaySeconds: "5", MaximumMessageSize: "2048" } });
    expect(two.body.message).toBe("A queue already exists with the same name and a different value for attribute DelaySeconds");
    await create("alphabet");
    await create("beta");
    const list = await h.json("ListQueues", { QueueNamePrefix: "alpha" });
    expect(list.body.QueueUrls).toEqual([url, "http://127.0.0.1:4566/000000000000/alphabet"]);
    const page = await h.json("ListQueues", { MaxResults: 1 });
    expect((page.body.QueueUrls as string[]).length).toBe(1);
    expect(page.body.NextToken).toBeTypeOf("string");
    const next = await h.json("ListQueues", { MaxResults: 5, NextToken: page.body.NextToken });
    expect(next.body.QueueUrls).toContain("http://127.0.0.1:4566/000000000000/alphabet");
  });

  it("answers QueueDoesNotExist with the legacy Query code", async () => {
    const r = await h.json("GetQueueUrl", { QueueName: "nope" });
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe("com.amazonaws.sqs#QueueDoesNotExist");
    expect(r.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
  });

  it("validates names and attributes", async () => {
    expect((await h.json("CreateQueue", { QueueName: "bad name" })).body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
    expect((await h.json("CreateQueue", { QueueName: "x.fifo" })).status).toBe(400);
    const r = await h.json("CreateQueue", { QueueName: "q1", Attributes: { Bogus: "1" } });
    expect(r.body.__type).toBe("com.amazonaws.sqs#InvalidAttributeName");
    const v = await h.json("CreateQueue", { QueueName: "q1", Attributes: { DelaySeconds: "901" } });
    expect(v.body.__type).toBe("com.amazonaws.sqs#InvalidAttributeValue");
  });

  it("keeps one server-side encryption option per queue, as AWS does", async () => {
    const sse = async (url: string) =>
      (await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds"] })).body.Attributes;
    const kms = await create("sse-kms", { KmsMasterKeyId: "alias/aws/sqs" });
    expect(await sse(kms)).toEqual({ KmsMasterKeyId: "alias/aws/sqs", KmsDataKeyReusePeriodSeconds: "300", SqsManagedSseEnabled: "false" });
    // Created again with the same key: still the same queue.
    expect(await create("sse-kms", { KmsMasterKeyId: "alias/aws/sqs" })).toBe(kms);

    const both = { KmsMasterKeyId: "alias/aws/sqs", SqsManagedSseEnabled: "true" };
    const refused = await h.json("CreateQueue", { QueueName: "sse-both", Attributes: both });
    expect(refused.status).toBe(400);
    expect(refused.body.__type).toBe("com.amazonaws.sqs#InvalidAttributeName");
    expect(refused.body.message).toBe("You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.");

    const url = await create("sse-switch");
    expect(await sse(url)).toEqual({ SqsManagedSseEnabled: "true" });
    expect((await h.json("SetQueueAttributes", { QueueUrl: url, Attributes: both })).body.__type).toBe("com.amazonaws.sqs#InvalidAttributeName");
    expect(await sse(url)).toEqual({ SqsManagedSseEnabled: "true" });
    // Setting a KMS key turns SSE-SQS off; SSE-SQS back on drops the key and its reuse period.
    await h.json("SetQueueAttributes", { QueueUrl: url, Attributes: { KmsMasterKeyId: "k1", KmsDataKeyReusePeriodSeconds: "600" } });
    expect(await sse(url)).toEqual({ KmsMasterKeyId: "k1", KmsDataKeyReusePeriodSeconds: "600", SqsManagedSseEnabled: "false" });
    await h.json("SetQueueAttributes", { QueueUrl: url, Attributes: { SqsManagedSseEnabled: "true" } });
    expect(await sse(url)).toEqual({ SqsManagedSseEnabled: "true" });
    await h.json("SetQueueAttributes", { QueueUrl: url, Attributes: { KmsMasterKeyId: "k2" } });
    expect(await sse(url)).toEqual({ KmsMasterKeyId: "k2", KmsDataKeyReusePeriodSeconds: "300", SqsManagedSseEnabled: "false" });
    // Clearing the key leaves no encryption (SSE-SQS stays off until set).
    await h.json("SetQueueAttributes", { QueueUrl: url, Attributes: { KmsMasterKeyId: "" } });
    expect(await sse(url)).toEqual({ SqsManagedSseEnabled: "false" });
  });

  it("reports every attribute with AWS defaults", async () => {
    const url = await create("attrs");
    const r = await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["All"] });
    const a = r.body.Attributes as Record<string, string>;
    expect(a.QueueArn).toBe("arn:aws:sqs:us-east-1:000000000000:attrs");
    expect(a.MaximumMessageSize).toBe("1048576");
    expect(a.MessageRetentionPeriod).toBe("345600");
    expect(a.VisibilityTimeout).toBe("30");
    expect(a.ApproximateNumberOfMessages).toBe("0");
    expect(a.FifoQueue).toBeUndefined();
    await h.json("SetQueueAttributes", { QueueUrl: url, Attributes: { DelaySeconds: "3" } });
    const after = await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["DelaySeconds"] });
    expect(after.body.Attributes).toEqual({ DelaySeconds: "3" });
  });
});

describe("messages", () => {
  it("sends, receives with a new handle each time, and deletes", async () => {
    const url = await create("m1");
    const sent = await h.json("SendMessage", {
      QueueUrl: url,
      MessageBody: "hello",
      MessageAttributes: { Hello: { DataType: "String", StringValue: "There" }, General: { DataType: "String", StringValue: "Kenobi" } },
    });
    expect(sent.body.MD5OfMessageBody).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(sent.body.MD5OfMessageAttributes).toBe("fca026605781cb4126a1e9044df24232");
    const [m] = await receive(url, { VisibilityTimeout: 0, AttributeNames: ["All"], MessageAttributeNames: ["Hello"] });
    expect(m!.Body).toBe("hello");
    expect(m!.Attributes!.ApproximateReceiveCount).toBe("1");
    const again = await receive(url, { VisibilityTimeout: 30 });
    expect(again[0]!.MessageId).toBe(m!.MessageId);
    expect(again[0]!.ReceiptHandle).not.toBe(m!.ReceiptHandle);
    // The stale handle succeeds but leaves the re-received message alone.
    expect((await h.json("DeleteMessage", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle })).status).toBe(200);
    const attrs = await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] });
    expect(attrs.body.Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: "1" });
    expect((await h.json("DeleteMessage", { QueueUrl: url, ReceiptHandle: again[0]!.ReceiptHandle })).status).toBe(200);
    const gone = await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["All"] });
    expect((gone.body.Attributes as Record<string, string>).ApproximateNumberOfMessagesNotVisible).toBe("0");
    expect(await receive(url)).toEqual([]);
  });

  it("accepts every documented attribute name in ReceiveMessage's lists; queue attribute names select nothing", async () => {
    const url = await create("recv-names");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "x" });
    const [m] = await receive(url, {
      VisibilityTimeout: 0,
      AttributeNames: ["SqsManagedSseEnabled", "VisibilityTimeout", "SentTimestamp"],
      MessageSystemAttributeNames: ["SqsManagedSseEnabled", "QueueArn"],
    });
    expect(Object.keys(m!.Attributes!)).toEqual(["SentTimestamp"]);
    const [plain] = await receive(url, { VisibilityTimeout: 0, MessageSystemAttributeNames: ["SqsManagedSseEnabled"] });
    expect(plain!.Attributes).toBeUndefined();
    const q = await h.query({ Action: "ReceiveMessage", QueueUrl: url, "AttributeName.1": "SqsManagedSseEnabled", "MessageSystemAttributeName.1": "ApproximateReceiveCount" });
    expect(q.status).toBe(200);
    expect(q.text).toContain("<Name>ApproximateReceiveCount</Name>");
    expect(q.text).not.toContain("SqsManagedSseEnabled");
    for (const list of ["AttributeNames", "MessageSystemAttributeNames"]) {
      const bad = await h.json("ReceiveMessage", { QueueUrl: url, [list]: ["SentTimestamp", "Bogus"] });
      expect(bad.status).toBe(400);
      expect(bad.body.__type).toBe("com.amazonaws.sqs#InvalidAttributeName");
      expect(bad.body.message).toBe("Unknown Attribute Bogus.");
    }
  });

  it("keeps a received message invisible until its timeout, and ChangeMessageVisibility(0) frees it", async () => {
    const url = await create("m2");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "x" });
    const [m] = await receive(url, { VisibilityTimeout: 60 });
    expect(await receive(url)).toEqual([]);
    expect((await h.json("ChangeMessageVisibility", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 })).status).toBe(200);
    const back = await receive(url, { VisibilityTimeout: 60 });
    expect(back.length).toBe(1);
    const visibleAgain = await h.json("ChangeMessageVisibility", { QueueUrl: url, ReceiptHandle: back[0]!.ReceiptHandle, VisibilityTimeout: 0 });
    expect(visibleAgain.status).toBe(200);
    // Visible again: AWS answers OK and leaves the message visible.
    const late = await h.json("ChangeMessageVisibility", { QueueUrl: url, ReceiptHandle: back[0]!.ReceiptHandle, VisibilityTimeout: 10 });
    expect(late.status).toBe(200);
    expect(late.body).toEqual({});
    expect((await receive(url)).map((m) => m.MessageId)).toEqual([m!.MessageId]);
  });

  it("rejects bad receipt handles and bad parameters with SQS's errors", async () => {
    const url = await create("m3");
    const r = await h.json("DeleteMessage", { QueueUrl: url, ReceiptHandle: "garbage" });
    expect(r.status).toBe(404);
    expect(r.body.__type).toBe("com.amazonaws.sqs#ReceiptHandleIsInvalid");
    const max = await h.json("ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 11 });
    expect(max.body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
    expect(max.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    const empty = await h.json("SendMessage", { QueueUrl: url, MessageBody: "" });
    expect(empty.body.__type).toBe("com.amazonaws.sqs#MissingRequiredParameterException");
    expect(empty.headers.get("x-amzn-query-error")).toBe("MissingParameter;Sender");
    const bad = await h.json("SendMessage", { QueueUrl: url, MessageBody: "a\u0000b" });
    expect(bad.body.__type).toBe("com.amazonaws.sqs#InvalidMessageContents");
    const big = await h.json("SendMessage", { QueueUrl: url, MessageBody: "x".repeat(1_048_577) });
    expect(big.body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
    const ok = await h.json("SendMessage", { QueueUrl: url, MessageBody: "x".repeat(1_048_576) });
    expect(ok.status).toBe(200);
    const malformed = await h.adapter.handle({
      ...(await import("./test-support.ts")).fakeRequest("{not json", "SendMessage"),
    });
    expect(malformed.status).toBe(400);
  });

  it("delays per message on standard queues", async () => {
    const url = await create("m4");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "later", DelaySeconds: 1 });
    const a = await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessagesDelayed"] });
    expect(a.body.Attributes).toEqual({ ApproximateNumberOfMessagesDelayed: "1" });
    expect(await receive(url)).toEqual([]);
    const t0 = Date.now();
    const got = await receive(url, { WaitTimeSeconds: 5 });
    expect(got.length).toBe(1);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("batches: per-entry failures, distinct ids, entry count", async () => {
    const url = await create("m5");
    const r = await h.json("SendMessageBatch", {
      QueueUrl: url,
      Entries: [
        { Id: "a", MessageBody: "1" },
        { Id: "b", MessageBody: "" },
      ],
    });
    expect((r.body.Successful as unknown[]).length).toBe(1);
    expect(r.body.Failed).toEqual([{ Id: "b", SenderFault: true, Code: "MissingParameter", Message: "The request must contain the parameter MessageBody." }]);
    const dup = await h.json("SendMessageBatch", { QueueUrl: url, Entries: [{ Id: "a", MessageBody: "1" }, { Id: "a", MessageBody: "2" }] });
    expect(dup.body.__type).toBe("com.amazonaws.sqs#BatchEntryIdsNotDistinct");
    const many = await h.json("SendMessageBatch", { QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" })) });
    expect(many.body.__type).toBe("com.amazonaws.sqs#TooManyEntriesInBatchRequest");
    const none = await h.json("SendMessageBatch", { QueueUrl: url, Entries: [] });
    expect(none.body.__type).toBe("com.amazonaws.sqs#EmptyBatchRequest");
    const badId = await h.json("SendMessageBatch", { QueueUrl: url, Entries: [{ Id: "a b", MessageBody: "x" }] });
    expect(badId.body.__type).toBe("com.amazonaws.sqs#InvalidBatchEntryId");
    const msgs = await receive(url);
    const del = await h.json("DeleteMessageBatch", {
      QueueUrl: url,
      Entries: [...msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: "bad", ReceiptHandle: "zzz" }],
    });
    expect((del.body.Successful as unknown[]).length).toBe(msgs.length);
    expect((del.body.Failed as { Code: string }[])[0]!.Code).toBe("ReceiptHandleIsInvalid");
  });

  it("long polling returns as soon as a message is sent", async () => {
    const url = await create("m6");
    const t0 = Date.now();
    const pending = receive(url, { WaitTimeSeconds: 10 });
    await new Promise((r) => setTimeout(r, 300));
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "wake" });
    const got = await pending;
    expect(got.map((m) => m.Body)).toEqual(["wake"]);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("long polling wakes when a visibility timeout expires", async () => {
    const url = await create("m7");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "v" });
    await receive(url, { VisibilityTimeout: 1 });
    const t0 = Date.now();
    const got = await receive(url, { WaitTimeSeconds: 10 });
    expect(got.length).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2500);
  });
});

describe("concurrent receives in one process", () => {
  it("share the queue: each gets a full batch while messages remain, none twice", async () => {
    const url = await create("crowd");
    for (let b = 0; b < 20; b++) {
      await h.json("SendMessageBatch", { QueueUrl: url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${b}-${i}` })) });
    }
    // 16 receives at once over 200 messages: all used to see the same oldest entries, and
    // most answered empty while the queue was full.
    const batches = await Promise.all(Array.from({ length: 16 }, () => receive(url)));
    expect(batches.map((b) => b.length)).toEqual(Array(16).fill(10));
    const ids = batches.flat().map((m) => m.MessageId);
    expect(new Set(ids).size).toBe(160);
    const rest = await Promise.all(Array.from({ length: 8 }, () => receive(url)));
    expect(rest.flat().length).toBe(40);
    expect(new Set([...ids, ...rest.flat().map((m) => m.MessageId)]).size).toBe(200);
  });

  it("never answers one message twice when VisibilityTimeout is 0", async () => {
    const url = await create("again0");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "once" });
    expect((await receive(url, { VisibilityTimeout: 0 })).map((m) => m.Body)).toEqual(["once"]);
    expect((await receive(url, { VisibilityTimeout: 0 })).map((m) => m.Body)).toEqual(["once"]);
  });
});

describe("FIFO", () => {
  it("orders per group, blocks a group while in flight, and dedups", async () => {
    const url = await create("f1.fifo", { FifoQueue: "true" });
    const missing = await h.json("SendMessage", { QueueUrl: url, MessageBody: "x" });
    expect(missing.body.__type).toBe("com.amazonaws.sqs#MissingRequiredParameterException");
    const noDedup = await h.json("SendMessage", { QueueUrl: url, MessageBody: "x", MessageGroupId: "g" });
    expect(noDedup.body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await h.json("SendMessage", { QueueUrl: url, MessageBody: `g1-${i}`, MessageGroupId: "g1", MessageDeduplicationId: `d${i}` });
      seqs.push(r.body.SequenceNumber as string);
    }
    expect([...seqs].sort()).toEqual(seqs);
    const dup = await h.json("SendMessage", { QueueUrl: url, MessageBody: "other", MessageGroupId: "g1", MessageDeduplicationId: "d0" });
    expect(dup.body.SequenceNumber).toBe(seqs[0]);
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "g2-0", MessageGroupId: "g2", MessageDeduplicationId: "e0" });
    const first = await receive(url, { MaxNumberOfMessages: 2, VisibilityTimeout: 30 });
    const bodies = first.map((m) => m.Body);
    expect(bodies.length).toBe(2);
    // Whatever groups came first, g1 messages come in order and a blocked group yields nothing.
    const rest = await receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 30 });
    const all = [...bodies, ...rest.map((m) => m.Body)];
    const g1 = all.filter((b) => b.startsWith("g1"));
    expect(g1).toEqual([...g1].sort());
    expect(await receive(url)).toEqual([]);
    // Deleting the in-flight g1 messages in order frees the rest of the group.
    for (const m of [...first, ...rest]) await h.json("DeleteMessage", { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
    const next = await receive(url, { MaxNumberOfMessages: 10 });
    expect(next.map((m) => m.Body)).toEqual(["g1-0", "g1-1", "g1-2", "g1-3", "g1-4"].filter((b) => !all.includes(b)));
  });

  it("content-based dedup hashes the body", async () => {
    const url = await create("f2.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const a = await h.json("SendMessage", { QueueUrl: url, MessageBody: "same", MessageGroupId: "g" });
    const b = await h.json("SendMessage", { QueueUrl: url, MessageBody: "same", MessageGroupId: "g" });
    expect(b.body.MessageId).toBe(a.body.MessageId);
    const msgs = await receive(url);
    expect(msgs.length).toBe(1);
  });
});

describe("dead-letter queues", () => {
  it("moves a message after maxReceiveCount receives", async () => {
    const dlqUrl = await create("dlq1");
    const arn = "arn:aws:sqs:us-east-1:000000000000:dlq1";
    const url = await create("src1", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 2 }) });
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "poison" });
    expect((await receive(url, { VisibilityTimeout: 0 })).length).toBe(1);
    expect((await receive(url, { VisibilityTimeout: 0 })).length).toBe(1);
    expect(await receive(url, { VisibilityTimeout: 0 })).toEqual([]);
    const moved = await receive(dlqUrl, { AttributeNames: ["All"] });
    expect(moved.map((m) => m.Body)).toEqual(["poison"]);
    expect(moved[0]!.Attributes!.DeadLetterQueueSourceArn).toBe("arn:aws:sqs:us-east-1:000000000000:src1");
    const sources = await h.json("ListDeadLetterSourceQueues", { QueueUrl: dlqUrl });
    expect(sources.body.queueUrls).toEqual([url]);
    const missing = await h.json("CreateQueue", {
      QueueName: "src2",
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:nope", maxReceiveCount: 2 }) },
    });
    expect(missing.body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
  });
});

describe("Query protocol", () => {
  it("serves the same operations with XML, to / and to the queue URL, GET and POST", async () => {
    const c = await h.query({ Action: "CreateQueue", QueueName: "qq", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45" });
    expect(c.status).toBe(200);
    expect(c.text).toContain("<QueueUrl>http://127.0.0.1:4566/000000000000/qq</QueueUrl>");
    const s = await h.query({ Action: "SendMessage", MessageBody: "via query" }, { path: "/000000000000/qq" });
    expect(s.text).toContain("<MD5OfMessageBody>");
    const r = await h.query({ Action: "ReceiveMessage", QueueUrl: "http://elsewhere/000000000000/qq", "AttributeName.1": "All" }, { method: "GET" });
    expect(r.text).toContain("<Body>via query</Body>");
    expect(r.text).toContain("<Attribute><Name>SenderId</Name>");
    const e = await h.query({ Action: "GetQueueUrl", QueueName: "missing" });
    expect(e.status).toBe(400);
    expect(e.text).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
    expect(e.text).toContain("<Type>Sender</Type>");
    const u = await h.query({ Action: "Frobnicate" });
    expect(u.text).toContain("<Code>InvalidAction</Code>");
  });
});

describe("FIFO receive attempts", () => {
  it("a retried ReceiveRequestAttemptId returns the same messages and receipt handles", async () => {
    const url = await create("ra.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    for (let i = 0; i < 3; i++) await h.json("SendMessage", { QueueUrl: url, MessageBody: `r${i}`, MessageGroupId: "g" });
    const first = await receive(url, { ReceiveRequestAttemptId: "try-1", MaxNumberOfMessages: 2 });
    const retry = await receive(url, { ReceiveRequestAttemptId: "try-1", MaxNumberOfMessages: 2 });
    expect(retry.map((m) => m.ReceiptHandle)).toEqual(first.map((m) => m.ReceiptHandle));
    expect(first.map((m) => m.Body)).toEqual(["r0", "r1"]);
    const other = await receive(url, { ReceiveRequestAttemptId: "try-2" });
    expect(other).toEqual([]);
  });
});

describe("visibility cap", () => {
  it("refuses to extend visibility beyond 12 hours from the receive", async () => {
    const url = await create("cap");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "x" });
    const [m] = await receive(url, { VisibilityTimeout: 60 });
    expect((await h.json("ChangeMessageVisibility", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 43_000 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const over = await h.json("ChangeMessageVisibility", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 43_200 });
    expect(over.body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
  });
});

describe("hostile names", () => {
  it("treats __proto__ and friends as ordinary attribute, tag and form names", async () => {
    const url = await create("proto");
    const attrs = { __proto__: { DataType: "String", StringValue: "p" }, constructor: { DataType: "String", StringValue: "c" } };
    const body = JSON.parse(JSON.stringify({ QueueUrl: url, MessageBody: "x", MessageAttributes: {} }));
    body.MessageAttributes = JSON.parse('{"__proto__":{"DataType":"String","StringValue":"p"},"constructor":{"DataType":"String","StringValue":"c"}}');
    expect(Object.keys(attrs)).toEqual(["constructor"]);
    const sent = await h.json("SendMessage", body);
    expect(sent.status).toBe(200);
    const [m] = await receive(url, { MessageAttributeNames: ["All"] });
    expect(Object.keys((m as unknown as { MessageAttributes: object }).MessageAttributes).sort()).toEqual(["__proto__", "constructor"]);
    const q = await h.query({ Action: "TagQueue", QueueUrl: url, "Tag.1.Key": "__proto__", "Tag.1.Value": "v", "__proto__.polluted": "yes" });
    expect(q.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const tags = await h.json("ListQueueTags", { QueueUrl: url });
    expect(JSON.stringify(tags.body.Tags)).toBe('{"__proto__":"v"}');
    const bad = await h.json("SetQueueAttributes", { QueueUrl: url, Attributes: JSON.parse('{"constructor":"1"}') });
    expect(bad.body.__type).toBe("com.amazonaws.sqs#InvalidAttributeName");
  });
});

// Behaviours checked against LocalStack's snapshot file recorded against SQS
// (tests/aws/services/sqs/test_sqs.snapshot.json).
describe("expired receipt handles", () => {
  const count = async (url: string, name: string) =>
    ((await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: [name] })).body.Attributes as Record<string, string>)[name];

  it("FIFO DeleteMessage refuses a handle whose visibility timeout has passed, and the message stays", async () => {
    const url = await create("exp-del.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "g1-m1", MessageGroupId: "1" });
    const [m] = await receive(url, { VisibilityTimeout: 0 });
    const r = await h.json("DeleteMessage", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle });
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
    expect(r.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect(r.body.message).toBe(`Value ${m!.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    expect(await count(url, "ApproximateNumberOfMessages")).toBe("1");
    const q = await h.query({ Action: "DeleteMessage", QueueUrl: url, ReceiptHandle: m!.ReceiptHandle });
    expect(q.status).toBe(400);
    expect(q.text).toContain("<Code>InvalidParameterValue</Code>");
    // A handle still in flight deletes.
    const [again] = await receive(url, { VisibilityTimeout: 30 });
    expect((await h.json("DeleteMessage", { QueueUrl: url, ReceiptHandle: again!.ReceiptHandle })).status).toBe(200);
    expect(await count(url, "ApproximateNumberOfMessagesNotVisible")).toBe("0");
    expect(await receive(url)).toEqual([]);
  });

  it("standard DeleteMessage still deletes with an expired handle", async () => {
    const url = await create("exp-del-std");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "x" });
    const [m] = await receive(url, { VisibilityTimeout: 0 });
    expect((await h.json("DeleteMessage", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle })).status).toBe(200);
    expect(await receive(url)).toEqual([]);
  });

  it("ChangeMessageVisibility(Batch) on a visible-again standard message answers OK and changes nothing", async () => {
    const url = await create("exp-vis");
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "x" });
    const [m] = await receive(url, { VisibilityTimeout: 0 });
    const one = await h.json("ChangeMessageVisibility", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 60 });
    expect(one.status).toBe(200);
    const batch = await h.json("ChangeMessageVisibilityBatch", {
      QueueUrl: url,
      Entries: [{ Id: "a", ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 60 }],
    });
    expect(batch.body).toEqual({ Successful: [{ Id: "a" }], Failed: [] });
    expect(await count(url, "ApproximateNumberOfMessages")).toBe("1");
    expect((await receive(url)).map((r) => r.MessageId)).toEqual([m!.MessageId]);
  });

  it("FIFO ChangeMessageVisibility on an expired handle keeps MessageNotInflight (not covered by the snapshot)", async () => {
    const url = await create("exp-vis.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    await h.json("SendMessage", { QueueUrl: url, MessageBody: "x", MessageGroupId: "g" });
    const [m] = await receive(url, { VisibilityTimeout: 0 });
    const r = await h.json("ChangeMessageVisibility", { QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 60 });
    expect(r.body.__type).toBe("com.amazonaws.sqs#MessageNotInflight");
  });
});

describe("FIFO SendMessageBatch without a group or dedup id", () => {
  const entry = (id: string, extra: Record<string, string>) => ({ Id: id, MessageBody: "messageBody", ...extra });

  it("fails the whole request and sends nothing", async () => {
    const url = await create("batch-ids.fifo", { FifoQueue: "true", ContentBasedDeduplication: "false" });
    const noGroup = await h.json("SendMessageBatch", {
      QueueUrl: url,
      Entries: [entry("a", { MessageGroupId: "test-group", MessageDeduplicationId: "d1" }), entry("b", { MessageDeduplicationId: "d2" })],
    });
    expect(noGroup.status).toBe(400);
    expect(noGroup.body.__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
    expect(noGroup.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect(noGroup.body.message).toBe("The request must contain the parameter MessageGroupId.");
    const noDedup = await h.json("SendMessageBatch", {
      QueueUrl: url,
      Entries: [entry("a", { MessageGroupId: "test-group", MessageDeduplicationId: "d1" }), entry("b", { MessageGroupId: "test-group" })],
    });
    expect(noDedup.status).toBe(400);
    expect(noDedup.body.message).toBe("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    const q = await h.query({
      Action: "SendMessageBatch",
      QueueUrl: url,
      "SendMessageBatchRequestEntry.1.Id": "a",
      "SendMessageBatchRequestEntry.1.MessageBody": "x",
      "SendMessageBatchRequestEntry.1.MessageDeduplicationId": "d3",
    });
    expect(q.status).toBe(400);
    expect(q.text).toContain("<Code>InvalidParameterValue</Code>");
    expect(await receive(url)).toEqual([]);
  });

  it("with content-based dedup, a missing dedup id is fine and other entry errors stay per entry", async () => {
    const url = await create("batch-cbd.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const r = await h.json("SendMessageBatch", {
      QueueUrl: url,
      Entries: [entry("a", { MessageGroupId: "g" }), { Id: "b", MessageBody: "", MessageGroupId: "g" }],
    });
    expect(r.status).toBe(200);
    expect((r.body.Successful as { Id: string }[]).map((e) => e.Id)).toEqual(["a"]);
    expect((r.body.Failed as { Id: string; Code: string }[]).map((e) => [e.Id, e.Code])).toEqual([["b", "MissingParameter"]]);
  });
});

describe("empty collections in JSON answers", () => {
  it("ReceiveMessage lists no messages as an empty list; the Query answer is unchanged", async () => {
    const url = await create("empty-recv");
    const r = await h.json("ReceiveMessage", { QueueUrl: url });
    expect(r.body).toEqual({ Messages: [] });
    const q = await h.query({ Action: "ReceiveMessage", QueueUrl: url });
    expect(q.text).toContain("<ReceiveMessageResult></ReceiveMessageResult>");
  });

  it("MessageAttributes is an empty map when valid names match none, and absent for names no attribute can have", async () => {
    const url = await create("empty-attrs", { VisibilityTimeout: "0" });
    await h.json("SendMessage", {
      QueueUrl: url,
      MessageBody: "msg",
      MessageAttributes: { "Help.Me": { DataType: "String", StringValue: "Me" }, Hello: { DataType: "String", StringValue: "There" } },
    });
    const get = async (names: string[]) => ((await h.json("ReceiveMessage", { QueueUrl: url, MessageAttributeNames: names })).body.Messages as Record<string, unknown>[])[0]!;
    const none = await get(["Foo", "Help"]);
    expect(none.MessageAttributes).toEqual({});
    expect(none).not.toHaveProperty("MD5OfMessageAttributes");
    expect(await get(["AWS."])).not.toHaveProperty("MessageAttributes");
    expect(await get(["..foo"])).not.toHaveProperty("MessageAttributes");
    expect(await get([])).not.toHaveProperty("MessageAttributes");
    const some = await get(["Foo", "Help.*"]);
    expect(Object.keys(some.MessageAttributes as object)).toEqual(["Help.Me"]);
    expect(Object.keys((await get(["Hel.*"])).MessageAttributes as object).sort()).toEqual(["Hello", "Help.Me"]);
    expect(Object.keys((await get(["*"])).MessageAttributes as object).sort()).toEqual(["Hello", "Help.Me"]);
    expect(some.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const q = await h.query({ Action: "ReceiveMessage", QueueUrl: url, "MessageAttributeName.1": "Foo" });
    expect(q.text).toContain("<Body>msg</Body>");
    expect(q.text).not.toContain("MessageAttribute");
  });

  it("GetQueueAttributes answers an empty map for names without a value; ListQueueTags an empty map", async () => {
    const url = await create("empty-maps");
    await h.json("AddPermission", { QueueUrl: url, Label: "p", AWSAccountIds: ["111122223333"], Actions: ["ReceiveMessage"] });
    await h.json("RemovePermission", { QueueUrl: url, Label: "p" });
    expect((await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["Policy"] })).body).toEqual({ Attributes: {} });
    await h.json("TagQueue", { QueueUrl: url, Tags: { tag1: "value1" } });
    await h.json("UntagQueue", { QueueUrl: url, TagKeys: ["tag1"] });
    expect((await h.json("ListQueueTags", { QueueUrl: url })).body).toEqual({ Tags: {} });
    const attrs = await h.query({ Action: "GetQueueAttributes", QueueUrl: url, "AttributeName.1": "Policy" });
    expect(attrs.text).toContain("<GetQueueAttributesResult></GetQueueAttributesResult>");
    const tags = await h.query({ Action: "ListQueueTags", QueueUrl: url });
    expect(tags.text).toContain("<ListQueueTagsResult></ListQueueTagsResult>");
  });
});

describe("FifoQueue in SetQueueAttributes", () => {
  it("is a no-op as \"true\" on a FIFO queue, refused as \"false\", and unknown to a standard queue", async () => {
    const fifo = await create("set-type.fifo", { FifoQueue: "true" });
    expect((await h.json("SetQueueAttributes", { QueueUrl: fifo, Attributes: { FifoQueue: "true" } })).status).toBe(200);
    const off = await h.json("SetQueueAttributes", { QueueUrl: fifo, Attributes: { FifoQueue: "false" } });
    expect(off.status).toBe(400);
    expect(off.body.__type).toBe("com.amazonaws.sqs#InvalidAttributeValue");
    expect(off.body.message).toBe("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.");
    expect((await h.json("GetQueueAttributes", { QueueUrl: fifo, AttributeNames: ["FifoQueue"] })).body).toEqual({ Attributes: { FifoQueue: "true" } });
    const std = await create("set-type");
    const unknown = await h.json("SetQueueAttributes", { QueueUrl: std, Attributes: { FifoQueue: "true" } });
    expect(unknown.body.__type).toBe("com.amazonaws.sqs#InvalidAttributeName");
    expect(unknown.body.message).toBe("Unknown Attribute FifoQueue.");
  });
});

describe("Query answers as AWS words them", () => {
  // LocalStack's snapshot and TestSqsQueryApi tests, validated against AWS.
  it("a missing queue does not exist 'for this wsdl version' over Query; JSON keeps the short message", async () => {
    const q = await h.query({ Action: "GetQueueAttributes", "AttributeName.1": "QueueArn" }, { method: "GET", path: "/000000000000/gone" });
    expect(q.status).toBe(400);
    expect(q.text).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
    expect(q.text).toContain("<Message>The specified queue does not exist for this wsdl version.</Message>");
    const j = await h.json("GetQueueUrl", { QueueName: "gone" });
    expect(j.body.message).toBe("The specified queue does not exist.");
  });

  it("a queue URL without an Action is 404 <UnknownOperationException/>; the endpoint still says MissingAction", async () => {
    await create("qa-bare");
    const bare = await h.query({}, { method: "GET", path: "/000000000000/qa-bare" });
    expect(bare.status).toBe(404);
    expect(bare.text).toBe("<UnknownOperationException/>");
    const root = await h.query({}, { method: "GET" });
    expect(root.status).toBe(400);
    expect(root.text).toContain("<Code>MissingAction</Code>");
  });

  it("CreateQueue and ListQueues are not valid at a queue URL; GetQueueUrl of any queue is", async () => {
    const url = await create("qa-endpoint");
    const path = new URL(url).pathname;
    const misplaced: Record<string, string>[] = [{ Action: "CreateQueue", QueueName: "qa-other" }, { Action: "ListQueues" }];
    for (const params of misplaced) {
      const r = await h.query(params, { method: "GET", path });
      expect(r.status).toBe(400);
      expect(r.text).toContain("<Code>InvalidAction</Code>");
      expect(r.text).toContain(`<Message>The action ${params.Action} is not valid for this endpoint.</Message>`);
    }
    expect((await h.json("GetQueueUrl", { QueueName: "qa-other" })).status).toBe(400);
    const other = await create("qa-elsewhere");
    const u = await h.query({ Action: "GetQueueUrl", QueueName: "qa-elsewhere" }, { method: "GET", path });
    expect(u.text).toContain(`<QueueUrl>${other}</QueueUrl>`);
  });
});
