import { describe, expect, it } from "vitest";
import { parseQueryParams, queryResponseXml } from "./query.ts";

describe("Query wire", () => {
  it("maps flattened form members onto JSON member names", () => {
    const { action, input } = parseQueryParams(
      new URLSearchParams({
        Action: "SendMessage",
        QueueUrl: "http://h/000000000000/q",
        MessageBody: "hi",
        "MessageAttribute.1.Name": "a",
        "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "x",
        "MessageAttribute.2.Name": "b",
        "MessageAttribute.2.Value.DataType": "Binary",
        "MessageAttribute.2.Value.BinaryValue": "AAE=",
        "MessageSystemAttribute.1.Name": "AWSTraceHeader",
        "MessageSystemAttribute.1.Value.DataType": "String",
        "MessageSystemAttribute.1.Value.StringValue": "Root=1",
      }),
    );
    expect(action).toBe("SendMessage");
    expect(input).toEqual({
      QueueUrl: "http://h/000000000000/q",
      MessageBody: "hi",
      MessageAttributes: { a: { DataType: "String", StringValue: "x" }, b: { DataType: "Binary", BinaryValue: "AAE=" } },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1" } },
    });
  });

  it("orders list members by index, not by arrival", () => {
    const { input } = parseQueryParams(
      new URLSearchParams([
        ["Action", "ReceiveMessage"],
        ["AttributeName.2", "SentTimestamp"],
        ["AttributeName.1", "All"],
        ["DeleteMessageBatchRequestEntry.2.Id", "b"],
        ["DeleteMessageBatchRequestEntry.1.Id", "a"],
        ["DeleteMessageBatchRequestEntry.1.ReceiptHandle", "r1"],
      ]),
    );
    expect(input.AttributeNames).toEqual(["All", "SentTimestamp"]);
    expect(input.Entries).toEqual([{ Id: "a", ReceiptHandle: "r1" }, { Id: "b" }]);
  });

  it("maps Attribute and Tag maps per action", () => {
    const create = parseQueryParams(
      new URLSearchParams({ Action: "CreateQueue", QueueName: "q", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "5", "Tag.1.Key": "k", "Tag.1.Value": "v" }),
    );
    expect(create.input).toEqual({ QueueName: "q", Attributes: { DelaySeconds: "5" }, tags: { k: "v" } });
    const tag = parseQueryParams(new URLSearchParams({ Action: "TagQueue", "Tag.1.Key": "k", "Tag.1.Value": "v" }));
    expect(tag.input).toEqual({ Tags: { k: "v" } });
  });

  it("serializes results with the Query model's element names", () => {
    const xml = queryResponseXml(
      "ReceiveMessage",
      {
        Messages: [
          {
            MessageId: "m",
            Body: "a<b",
            Attributes: { SentTimestamp: "1" },
            MessageAttributes: { x: { DataType: "String", StringValue: "y" } },
          },
        ],
      },
      "rid",
    );
    expect(xml).toContain('<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">');
    expect(xml).toContain("<Message><MessageId>m</MessageId><Body>a&lt;b</Body>");
    expect(xml).toContain("<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>");
    expect(xml).toContain("<MessageAttribute><Name>x</Name><Value><DataType>String</DataType><StringValue>y</StringValue></Value></MessageAttribute>");
    expect(xml).toContain("<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>");
    const batch = queryResponseXml("DeleteMessageBatch", { Successful: [{ Id: "a" }], Failed: [] }, "r");
    expect(batch).toContain("<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry></DeleteMessageBatchResult>");
    // An action without output answers ResponseMetadata alone; an empty output still has its Result.
    expect(queryResponseXml("DeleteQueue", {}, "r")).not.toContain("DeleteQueueResult");
    expect(queryResponseXml("ListQueueTags", {}, "r")).toContain("<ListQueueTagsResult");
  });
});

import fc from "fast-check";

describe("Query wire (property)", () => {
  const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
  it("any message attribute map survives the flattened form encoding", () => {
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.oneof(
          fc.record({ DataType: fc.constant("String"), StringValue: fc.string({ minLength: 1 }) }),
          fc.record({ DataType: fc.constant("Binary"), BinaryValue: fc.base64String({ minLength: 4 }) }),
        ), { maxKeys: 10 }),
        (attrs) => {
          const params = new URLSearchParams({ Action: "SendMessage", MessageBody: "b" });
          Object.entries(attrs).forEach(([k, v], i) => {
            params.set(`MessageAttribute.${i + 1}.Name`, k);
            for (const [f, x] of Object.entries(v)) params.set(`MessageAttribute.${i + 1}.Value.${f}`, x);
          });
          const { input } = parseQueryParams(new URLSearchParams(params.toString()));
          expect(input.MessageAttributes ?? {}).toEqual(Object.keys(attrs).length ? attrs : {});
        },
      ),
    );
  });
});
