// Core SQS scenarios through real SDKs on both backends: v3 over AWS JSON 1.0 and v2 over
// the Query protocol run the very same steps.

import { describe, expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";
import { errorCode, expectCode, jsonApi, queryApi, type SqsApi } from "./clients.ts";
import { sendSigned, signForReplay } from "../harness/sign.ts";

const PROTOCOLS = [
  ["json", jsonApi],
  ["query", queryApi],
] as const;

describeBothBackends("sqs sdk scenarios", (ctx) => {
  for (const [protocol, make] of PROTOCOLS) {
    describe(protocol, () => {
      let n = 0;
      const api = (): SqsApi => make(ctx().clientConfig);
      const name = (base: string) => `${protocol}-${base}-${++n}`;

      it("queue lifecycle: create, url, list, attributes, tags, delete", async () => {
        const sqs = api();
        const qn = name("life");
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: qn, Attributes: { VisibilityTimeout: "45" }, tags: { team: "a" } });
        expect(QueueUrl).toBe(`${ctx().gateway.endpoint}/000000000000/${qn}`);
        expect((await sqs.call("GetQueueUrl", { QueueName: qn })).QueueUrl).toBe(QueueUrl);
        expect((await sqs.call("ListQueues", { QueueNamePrefix: qn })).QueueUrls).toEqual([QueueUrl]);
        const attrs = (await sqs.call("GetQueueAttributes", { QueueUrl, AttributeNames: ["All"] })).Attributes;
        expect(attrs.VisibilityTimeout).toBe("45");
        expect(attrs.MaximumMessageSize).toBe("1048576");
        expect(attrs.QueueArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${qn}`);
        await sqs.call("SetQueueAttributes", { QueueUrl, Attributes: { DelaySeconds: "2", MessageRetentionPeriod: "120" } });
        const after = (await sqs.call("GetQueueAttributes", { QueueUrl, AttributeNames: ["DelaySeconds", "MessageRetentionPeriod"] })).Attributes;
        expect(after).toEqual({ DelaySeconds: "2", MessageRetentionPeriod: "120" });
        await sqs.call("TagQueue", { QueueUrl, Tags: { env: "test" } });
        expect((await sqs.call("ListQueueTags", { QueueUrl })).Tags).toEqual({ team: "a", env: "test" });
        await sqs.call("UntagQueue", { QueueUrl, TagKeys: ["team"] });
        expect((await sqs.call("ListQueueTags", { QueueUrl })).Tags).toEqual({ env: "test" });
        await sqs.call("AddPermission", { QueueUrl, Label: "p1", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] });
        const policy = JSON.parse((await sqs.call("GetQueueAttributes", { QueueUrl, AttributeNames: ["Policy"] })).Attributes.Policy);
        expect(policy.Statement[0].Sid).toBe("p1");
        await expectCode(sqs.call("AddPermission", { QueueUrl, Label: "p1", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] }), "InvalidParameterValue");
        await sqs.call("RemovePermission", { QueueUrl, Label: "p1" });
        await sqs.call("DeleteQueue", { QueueUrl });
        await expectCode(sqs.call("GetQueueUrl", { QueueName: qn }), "AWS.SimpleQueueService.NonExistentQueue");
        await expectCode(sqs.call("SendMessage", { QueueUrl, MessageBody: "x" }), "AWS.SimpleQueueService.NonExistentQueue");
        // As AWS: the name of a queue deleted less than 60 s ago cannot be used again yet.
        await expectCode(sqs.call("CreateQueue", { QueueName: qn }), "AWS.SimpleQueueService.QueueDeletedRecently");
        await expectCode(sqs.call("GetQueueUrl", { QueueName: qn }), "AWS.SimpleQueueService.NonExistentQueue");
        sqs.destroy();
      });

      it("send, receive and delete with attributes; MD5s verified by the SDK", async () => {
        const sqs = api();
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("msg") });
        const body = "héllo wörld ✓ \u{1F600}";
        const sent = await sqs.call("SendMessage", {
          QueueUrl,
          MessageBody: body,
          MessageAttributes: {
            s: { DataType: "String", StringValue: "v" },
            n: { DataType: "Number", StringValue: "42" },
            b: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 2, 255]) },
          },
          MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793" } },
        });
        expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
        expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
        expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
        const got = await sqs.call("ReceiveMessage", {
          QueueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
          AttributeNames: ["All"],
        });
        expect(got.Messages).toHaveLength(1);
        const m = got.Messages[0];
        expect(m.Body).toBe(body);
        expect(m.MessageId).toBe(sent.MessageId);
        expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
        expect(m.MessageAttributes.n.StringValue).toBe("42");
        expect(Buffer.from(m.MessageAttributes.b.BinaryValue).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
        expect(m.Attributes.AWSTraceHeader).toBe("Root=1-5759e988-bd862e3fe1be46a994272793");
        expect(m.Attributes.ApproximateReceiveCount).toBe("1");
        // Only the attributes returned are covered by the digest.
        const partial = await sqs.call("ChangeMessageVisibility", { QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 });
        expect(partial).toBeDefined();
        const again = await sqs.call("ReceiveMessage", { QueueUrl, MessageAttributeNames: ["s"] });
        expect(Object.keys(again.Messages[0].MessageAttributes)).toEqual(["s"]);
        expect(again.Messages[0].MD5OfMessageAttributes).not.toBe(sent.MD5OfMessageAttributes);
        await sqs.call("DeleteMessage", { QueueUrl, ReceiptHandle: again.Messages[0].ReceiptHandle });
        expect((await sqs.call("ReceiveMessage", { QueueUrl })).Messages ?? []).toEqual([]);
        sqs.destroy();
      });

      it("batches report per-entry results", async () => {
        const sqs = api();
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("batch") });
        const sent = await sqs.call("SendMessageBatch", {
          QueueUrl,
          Entries: [
            { Id: "a", MessageBody: "1" },
            { Id: "b", MessageBody: "2", DelaySeconds: 0 },
            { Id: "c", MessageBody: "3", MessageAttributes: { bad: { DataType: "Number", StringValue: "nan" } } },
          ],
        });
        expect(sent.Successful.map((e: { Id: string }) => e.Id).sort()).toEqual(["a", "b"]);
        expect(sent.Failed).toHaveLength(1);
        expect(sent.Failed[0].Id).toBe("c");
        expect(sent.Failed[0].SenderFault).toBe(true);
        const got = await sqs.call("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 });
        expect(got.Messages).toHaveLength(2);
        const vis = await sqs.call("ChangeMessageVisibilityBatch", {
          QueueUrl,
          Entries: got.Messages.map((m: { ReceiptHandle: string }, i: number) => ({ Id: `v${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 120 })),
        });
        expect(vis.Successful).toHaveLength(2);
        const del = await sqs.call("DeleteMessageBatch", {
          QueueUrl,
          Entries: [...got.Messages.map((m: { ReceiptHandle: string }, i: number) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: "x", ReceiptHandle: "bogus" }],
        });
        expect(del.Successful).toHaveLength(2);
        expect(del.Failed[0].Code).toBe("ReceiptHandleIsInvalid");
        await expectCode(sqs.call("SendMessageBatch", { QueueUrl, Entries: [{ Id: "a", MessageBody: "1" }, { Id: "a", MessageBody: "2" }] }), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
        sqs.destroy();
      });

      it("FIFO: group order, in-flight blocking, dedup returns the original id", async () => {
        const sqs = api();
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("order") + ".fifo", Attributes: { FifoQueue: "true" } });
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          const r = await sqs.call("SendMessage", { QueueUrl, MessageBody: `m${i}`, MessageGroupId: i % 2 ? "odd" : "even", MessageDeduplicationId: `d${i}` });
          ids.push(r.MessageId);
          expect(r.SequenceNumber).toMatch(/^[0-9]{20,}$/);
        }
        const dup = await sqs.call("SendMessage", { QueueUrl, MessageBody: "again", MessageGroupId: "even", MessageDeduplicationId: "d0" });
        expect(dup.MessageId).toBe(ids[0]);
        const seen: string[] = [];
        for (;;) {
          const r = await sqs.call("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ["MessageGroupId"] });
          if (!r.Messages?.length) break;
          for (const m of r.Messages) {
            seen.push(m.Body);
            await sqs.call("DeleteMessage", { QueueUrl, ReceiptHandle: m.ReceiptHandle });
          }
        }
        expect(seen.filter((b) => ["m0", "m2", "m4"].includes(b))).toEqual(["m0", "m2", "m4"]);
        expect(seen.filter((b) => ["m1", "m3", "m5"].includes(b))).toEqual(["m1", "m3", "m5"]);
        expect(seen).toHaveLength(6);
        sqs.destroy();
      });

      it("dead-letter redrive on receive, then a move task back to the source", async () => {
        const sqs = api();
        const dlq = await sqs.call("CreateQueue", { QueueName: name("dlq") });
        const dlqArn = (await sqs.call("GetQueueAttributes", { QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] })).Attributes.QueueArn;
        const src = await sqs.call("CreateQueue", {
          QueueName: name("src"),
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "1" }) },
        });
        await sqs.call("SendMessage", { QueueUrl: src.QueueUrl, MessageBody: "poison" });
        expect((await sqs.call("ReceiveMessage", { QueueUrl: src.QueueUrl, VisibilityTimeout: 0 })).Messages).toHaveLength(1);
        expect((await sqs.call("ReceiveMessage", { QueueUrl: src.QueueUrl })).Messages ?? []).toEqual([]);
        const counts = (await sqs.call("GetQueueAttributes", { QueueUrl: dlq.QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] })).Attributes;
        expect(counts.ApproximateNumberOfMessages).toBe("1");
        expect((await sqs.call("ListDeadLetterSourceQueues", { QueueUrl: dlq.QueueUrl })).queueUrls).toEqual([src.QueueUrl]);
        const { TaskHandle } = await sqs.call("StartMessageMoveTask", { SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 10 });
        expect(TaskHandle).toBeTypeOf("string");
        let status = "RUNNING";
        for (let i = 0; i < 50 && status === "RUNNING"; i++) {
          await new Promise((r) => setTimeout(r, 200));
          status = (await sqs.call("ListMessageMoveTasks", { SourceArn: dlqArn })).Results[0].Status;
        }
        expect(status).toBe("COMPLETED");
        const back = await sqs.call("ReceiveMessage", { QueueUrl: src.QueueUrl, WaitTimeSeconds: 2 });
        expect(back.Messages?.[0]?.Body).toBe("poison");
        sqs.destroy();
      });

      it("long polling returns promptly on send; purge is limited to one per 60 s", async () => {
        const sqs = api();
        const other = api();
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("poll") });
        const t0 = Date.now();
        const waiting = sqs.call("ReceiveMessage", { QueueUrl, WaitTimeSeconds: 10 });
        await new Promise((r) => setTimeout(r, 500));
        await other.call("SendMessage", { QueueUrl, MessageBody: "wake" });
        const sentAt = Date.now();
        const got = await waiting;
        expect(got.Messages[0].Body).toBe("wake");
        // From the acknowledged send; generous for a loaded 2-core CI machine.
        expect(Date.now() - sentAt).toBeLessThan(1000);
        expect(Date.now() - t0).toBeLessThan(5000);
        await sqs.call("PurgeQueue", { QueueUrl });
        await expectCode(sqs.call("PurgeQueue", { QueueUrl }), "AWS.SimpleQueueService.PurgeQueueInProgress");
        sqs.destroy();
        other.destroy();
      });

      // The next three follow LocalStack's snapshot recorded against SQS.
      it("expired handles: FIFO DeleteMessage refused, message kept; late visibility change on a standard queue is a no-op", async () => {
        const sqs = api();
        const fifo = (await sqs.call("CreateQueue", {
          QueueName: name("expired") + ".fifo",
          Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
        })).QueueUrl;
        await sqs.call("SendMessage", { QueueUrl: fifo, MessageBody: "g1-m1", MessageGroupId: "1" });
        const [m] = (await sqs.call("ReceiveMessage", { QueueUrl: fifo, VisibilityTimeout: 0 })).Messages;
        const err = await sqs.call("DeleteMessage", { QueueUrl: fifo, ReceiptHandle: m.ReceiptHandle }).then(() => undefined, (e: Error) => e);
        expect(errorCode(err)).toBe("InvalidParameterValue");
        expect(err?.message).toBe(`Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
        const left = await sqs.call("GetQueueAttributes", { QueueUrl: fifo, AttributeNames: ["ApproximateNumberOfMessages"] });
        expect(left.Attributes.ApproximateNumberOfMessages).toBe("1");

        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("late-vis") });
        await sqs.call("SendMessage", { QueueUrl, MessageBody: "x" });
        const [s] = (await sqs.call("ReceiveMessage", { QueueUrl, VisibilityTimeout: 0 })).Messages;
        await sqs.call("ChangeMessageVisibility", { QueueUrl, ReceiptHandle: s.ReceiptHandle, VisibilityTimeout: 60 });
        const batch = await sqs.call("ChangeMessageVisibilityBatch", { QueueUrl, Entries: [{ Id: "a", ReceiptHandle: s.ReceiptHandle, VisibilityTimeout: 60 }] });
        expect(batch.Successful).toEqual([{ Id: "a" }]);
        expect((await sqs.call("ReceiveMessage", { QueueUrl })).Messages?.[0]?.MessageId).toBe(s.MessageId);
        sqs.destroy();
      });

      it("FIFO SendMessageBatch without a group id fails whole; FifoQueue stays true", async () => {
        const sqs = api();
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("batch-group") + ".fifo", Attributes: { FifoQueue: "true" } });
        const entries = [
          { Id: "a", MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d1" },
          { Id: "b", MessageBody: "y", MessageDeduplicationId: "d2" },
        ];
        await expectCode(sqs.call("SendMessageBatch", { QueueUrl, Entries: entries }), "InvalidParameterValue");
        const noDedup = [entries[0], { Id: "c", MessageBody: "z", MessageGroupId: "g" }];
        await expectCode(sqs.call("SendMessageBatch", { QueueUrl, Entries: noDedup }), "InvalidParameterValue");
        expect((await sqs.call("ReceiveMessage", { QueueUrl })).Messages ?? []).toEqual([]);
        await sqs.call("SetQueueAttributes", { QueueUrl, Attributes: { FifoQueue: "true" } });
        await expectCode(sqs.call("SetQueueAttributes", { QueueUrl, Attributes: { FifoQueue: "false" } }), "InvalidAttributeValue");
        const std = await sqs.call("CreateQueue", { QueueName: name("std-type") });
        await expectCode(sqs.call("SetQueueAttributes", { QueueUrl: std.QueueUrl, Attributes: { FifoQueue: "true" } }), "InvalidAttributeName");
        sqs.destroy();
      });

      it("empty collections: empty lists and maps over JSON, left out over Query", async () => {
        const sqs = api();
        const none = protocol === "json" ? { list: [], map: {} } : { list: undefined, map: undefined };
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("empty"), Attributes: { VisibilityTimeout: "0" } });
        expect((await sqs.call("ReceiveMessage", { QueueUrl })).Messages).toEqual(none.list);
        await sqs.call("TagQueue", { QueueUrl, Tags: { tag1: "value1" } });
        await sqs.call("UntagQueue", { QueueUrl, TagKeys: ["tag1"] });
        expect((await sqs.call("ListQueueTags", { QueueUrl })).Tags).toEqual(none.map);
        expect((await sqs.call("GetQueueAttributes", { QueueUrl, AttributeNames: ["Policy"] })).Attributes).toEqual(none.map);
        await sqs.call("SendMessage", { QueueUrl, MessageBody: "msg", MessageAttributes: { Hello: { DataType: "String", StringValue: "There" } } });
        const [m] = (await sqs.call("ReceiveMessage", { QueueUrl, MessageAttributeNames: ["Foo", "Help"] })).Messages;
        expect(m.MessageAttributes).toEqual(none.map);
        expect(m.MD5OfMessageAttributes).toBeUndefined();
        sqs.destroy();
      });

      it("attribute names of any script round-trip with SDK-checked MD5s; empty, invalid and missing as AWS words them", async () => {
        // LocalStack's tests and snapshots validated against AWS.
        const sqs = api();
        const failure = (p: Promise<unknown>) => p.then(() => ({ code: "ok", message: "" }), (e: Error) => ({ code: errorCode(e), message: e.message }));
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("script") });
        const MessageAttributes = { "attr.1øßä": { DataType: "String", StringValue: "Valida" }, "名前": { DataType: "Number", StringValue: "7" } };
        const sent = await sqs.call("SendMessage", { QueueUrl, MessageBody: "x", MessageAttributes });
        const [m] = (await sqs.call("ReceiveMessage", { QueueUrl, MessageAttributeNames: ["All"] })).Messages;
        expect(m.MessageAttributes).toMatchObject(MessageAttributes);
        expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
        const empty = await failure(sqs.call("SendMessage", { QueueUrl, MessageBody: "x", MessageAttributes: { ErrorDetails: { DataType: "String", StringValue: "" } } }));
        expect(empty).toEqual({ code: "InvalidParameterValue", message: "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'." });
        const bad = await failure(sqs.call("SendMessage", { QueueUrl, MessageBody: "x", MessageAttributes: { a: { DataType: "String", StringValue: "x\u0008" } } }));
        expect(bad.code).toBe("InvalidParameterValue");
        const dlq = await failure(sqs.call("SetQueueAttributes", { QueueUrl, Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"dummy","maxReceiveCount":42}' } }));
        expect(dlq.message).toContain("Reason: Invalid value for deadLetterTargetArn.");
        const missing = await failure(sqs.call("GetQueueUrl", { QueueName: name("never") }));
        expect(missing.code).toBe("AWS.SimpleQueueService.NonExistentQueue");
        expect(missing.message).toBe(protocol === "json" ? "The specified queue does not exist." : "The specified queue does not exist for this wsdl version.");
        sqs.destroy();
      });

      it("bad input gets SQS's exact errors", async () => {
        const sqs = api();
        await expectCode(sqs.call("CreateQueue", { QueueName: "has space" }), "InvalidParameterValue");
        await expectCode(sqs.call("CreateQueue", { QueueName: name("attr"), Attributes: { NotAThing: "1" } }), "InvalidAttributeName");
        const { QueueUrl } = await sqs.call("CreateQueue", { QueueName: name("bad") });
        await expectCode(sqs.call("SendMessage", { QueueUrl, MessageBody: "x".repeat(1_048_577) }), "InvalidParameterValue");
        await expectCode(sqs.call("DeleteMessage", { QueueUrl, ReceiptHandle: "not-a-handle" }), "ReceiptHandleIsInvalid");
        await expectCode(sqs.call("ReceiveMessage", { QueueUrl, WaitTimeSeconds: 21 }), "InvalidParameterValue");
        await expectCode(sqs.call("GetQueueAttributes", { QueueUrl, AttributeNames: ["Nope"] }), "InvalidAttributeName");
        await expectCode(sqs.call("SendMessage", { QueueUrl, MessageBody: "x", MessageAttributes: { "AWS.x": { DataType: "String", StringValue: "v" } } }), "InvalidParameterValue");
        sqs.destroy();
      });
    });
  }

  describe("raw malformed requests", () => {
    const raw = async (headers: Record<string, string>, body: string) => {
      const cfg = ctx().clientConfig;
      const signed = await signForReplay({ service: "sqs", region: cfg.region, credentials: cfg.credentials, endpoint: cfg.endpoint, method: "POST", path: "/", headers, body });
      const res = await sendSigned(cfg.endpoint, signed);
      return { status: res.status, headers: res.headers, text: await res.text() };
    };

    it("JSON: malformed body, non-object body and unknown action", async () => {
      const json = { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" };
      const bad = await raw(json, "{not json");
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text).__type).toContain("SerializationException");
      const arr = await raw(json, "[1,2]");
      expect(arr.status).toBe(400);
      const unknown = await raw({ ...json, "x-amz-target": "AmazonSQS.Frobnicate" }, "{}");
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get("x-amzn-query-error")).toBe("InvalidAction;Sender");
    });

    it("JSON: codes without a model shape get AWS's __type; x-amzn-query-error and Query keep the legacy code", async () => {
      const json = { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.CreateQueue" };
      const invalid = await raw(json, JSON.stringify({ QueueName: "has space" }));
      expect(invalid.status).toBe(400);
      expect(JSON.parse(invalid.text).__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
      expect(invalid.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
      const missing = await raw(json, "{}");
      expect(JSON.parse(missing.text).__type).toBe("com.amazonaws.sqs#MissingRequiredParameterException");
      expect(missing.headers.get("x-amzn-query-error")).toBe("MissingParameter;Sender");
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const query = await raw(form, "Action=CreateQueue&Version=2012-11-05&QueueName=has%20space");
      expect(query.text).toContain("<Code>InvalidParameterValue</Code>");
    });

    it("Query at a queue URL: no Action is 404 <UnknownOperationException/>; CreateQueue is not valid there", async () => {
      // LocalStack's TestSqsQueryApi tests, validated against AWS.
      const cfg = ctx().clientConfig;
      const create = await raw({ "content-type": "application/x-www-form-urlencoded" }, "Action=CreateQueue&Version=2012-11-05&QueueName=query-at-url");
      const path = new URL(/<QueueUrl>([^<]+)<\/QueueUrl>/.exec(create.text)![1]!).pathname;
      const get = async (query: Record<string, string>) => {
        const signed = await signForReplay({ service: "sqs", region: cfg.region, credentials: cfg.credentials, endpoint: cfg.endpoint, method: "GET", path, query, headers: {} });
        const res = await sendSigned(cfg.endpoint, signed);
        return { status: res.status, text: await res.text() };
      };
      expect(await get({})).toEqual({ status: 404, text: "<UnknownOperationException/>" });
      const misplaced = await get({ Action: "CreateQueue", QueueName: "query-elsewhere" });
      expect(misplaced.status).toBe(400);
      expect(misplaced.text).toContain("<Message>The action CreateQueue is not valid for this endpoint.</Message>");
      const arn = await get({ Action: "GetQueueAttributes", "AttributeName.1": "QueueArn" });
      expect(arn.text).toContain("<Name>QueueArn</Name><Value>arn:aws:sqs:");
    });

    it("Query: missing and unknown actions, missing parameters", async () => {
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const unknown = await raw(form, "Action=Frobnicate&Version=2012-11-05");
      expect(unknown.status).toBe(400);
      expect(unknown.text).toContain("<Code>InvalidAction</Code>");
      const missing = await raw(form, "Action=CreateQueue&Version=2012-11-05");
      expect(missing.text).toContain("<Code>MissingParameter</Code>");
      const badInt = await raw(form, "Action=ReceiveMessage&QueueUrl=x&MaxNumberOfMessages=abc");
      expect(badInt.status).toBe(400);
    });
  });
});
