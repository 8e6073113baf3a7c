// Bad input never gets a 500: correctly signed requests with random bodies, built from each
// protocol's real parameter names and value shapes, against the real process on both
// backends. Every answer must be a client error (or a success, or S3's explicit 501
// NotImplemented) in the protocol's own error shape, and the gateway must still be serving
// afterwards.

import { expect, it } from "vitest";
import fc from "fast-check";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { describeBothBackends, type E2EContext } from "../harness/both-backends.ts";
import { sendSigned, signForReplay } from "../harness/sign.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const DDB_OPS = [
  "CreateTable", "DescribeTable", "ListTables", "DeleteTable", "UpdateTable", "UpdateTimeToLive", "DescribeTimeToLive",
  "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
  "TransactWriteItems", "TransactGetItems", "TagResource", "UntagResource", "ListTagsOfResource",
];
const DDB_PARAMS = [
  "TableName", "Key", "Item", "AttributeDefinitions", "KeySchema", "ProvisionedThroughput", "BillingMode",
  "ExpressionAttributeNames", "ExpressionAttributeValues", "ConditionExpression", "UpdateExpression",
  "KeyConditionExpression", "FilterExpression", "ProjectionExpression", "Limit", "ExclusiveStartKey", "Select",
  "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "RequestItems", "TransactItems",
  "IndexName", "ConsistentRead", "ScanIndexForward", "Segment", "TotalSegments", "GlobalSecondaryIndexes",
  "LocalSecondaryIndexes", "GlobalSecondaryIndexUpdates", "TimeToLiveSpecification", "ResourceArn", "Tags",
  "TagKeys", "AttributesToGet", "KeyConditions", "QueryFilter", "ScanFilter", "Expected", "AttributeUpdates",
  "ConditionalOperator", "ClientRequestToken", "Put", "Update", "Delete", "ConditionCheck", "Get",
];

const SQS_OPS = [
  "CreateQueue", "GetQueueUrl", "ListQueues", "DeleteQueue", "GetQueueAttributes", "SetQueueAttributes", "PurgeQueue",
  "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch", "TagQueue", "UntagQueue", "ListQueueTags", "AddPermission", "RemovePermission",
  "ListDeadLetterSourceQueues", "StartMessageMoveTask", "CancelMessageMoveTask", "ListMessageMoveTasks",
];
const SQS_PARAMS = [
  "QueueUrl", "QueueName", "MessageBody", "DelaySeconds", "MessageAttributes", "MessageSystemAttributes",
  "MessageDeduplicationId", "MessageGroupId", "Entries", "ReceiptHandle", "VisibilityTimeout", "MaxNumberOfMessages",
  "AttributeNames", "MessageAttributeNames", "MessageSystemAttributeNames", "ReceiveRequestAttemptId", "Attributes",
  "Tags", "TagKeys", "Label", "AWSAccountIds", "Actions", "SourceArn", "DestinationArn", "MaxNumberOfMessagesPerSecond",
  "TaskHandle", "MaxResults", "NextToken", "QueueNamePrefix", "QueueOwnerAWSAccountId", "Id",
];

/** Values shaped like what the APIs take, valid or nearly so, and plain junk. */
function values(names: string[]): fc.Arbitrary<unknown> {
  const attr = fc.oneof(
    fc.record({ S: fc.oneof(fc.string(), fc.integer()) }),
    fc.record({ N: fc.oneof(fc.constantFrom("1", "-0.5", "1e400", "abc", ""), fc.integer()) }),
    fc.record({ B: fc.oneof(fc.base64String(), fc.string()) }),
    fc.record({ BOOL: fc.oneof(fc.boolean(), fc.string()) }),
    fc.record({ NULL: fc.oneof(fc.boolean(), fc.integer()) }),
    fc.record({ SS: fc.array(fc.string(), { maxLength: 3 }) }),
    fc.record({ NS: fc.array(fc.constantFrom("1", "1", "x"), { maxLength: 3 }) }),
    fc.record({ L: fc.array(fc.record({ S: fc.string() }), { maxLength: 2 }) }),
    fc.record({ M: fc.dictionary(fc.string({ maxLength: 3 }), fc.record({ N: fc.constant("2") }), { maxKeys: 2 }) }),
    fc.dictionary(fc.constantFrom("S", "N", "B", "X"), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  );
  const leaf = fc.oneof(
    fc.constantFrom("fuzz", "fuzzq", "pk", "sk", "#n", ":v", "pk = :v", "SET #n = :v", "attribute_exists(pk)", "ALL_ATTRIBUTES", "ALL_OLD", 0, -1, 20, 1e9),
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    attr,
  );
  return fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("value"), { maxLength: 3 }), tie("object")),
    object: fc.dictionary(fc.constantFrom(...names), tie("value"), { maxKeys: 4 }),
  })).value;
}

/** Token soup for the expression parser and evaluator: mostly near-valid expressions. */
const EXPRESSION = fc
  .array(
    fc.constantFrom("SET", "REMOVE", "ADD", "DELETE", "#n", "#m", ":v", ":w", "=", "+", "-", "(", ")", ",", "list_append", "if_not_exists", "pk", "sk", "g", "a.b", "a[0]", "a[99999999999]", "size", "AND", "OR", "NOT", "BETWEEN", "IN", "begins_with", "contains", "attribute_exists", "attribute_not_exists", "attribute_type", "<", ">", "<=", ">=", "<>", "#undefined", ":undefined"),
    { minLength: 1, maxLength: 9 },
  )
  .map((t) => t.join(" "));

/** Item-shaped requests against the real table, with fuzzed expressions and values. */
function itemRequest(): fc.Arbitrary<string> {
  const v = values(["S", "N"]);
  const key = fc.record({ pk: fc.oneof(fc.record({ S: fc.string({ maxLength: 4 }) }), v), sk: fc.oneof(fc.record({ N: fc.constantFrom("1", "2.50", "-1e-130", "1e126") }), v) });
  return fc
    .record(
      {
        TableName: fc.constantFrom("fuzz", "fuzz"),
        Key: key,
        Item: fc.tuple(key, fc.dictionary(fc.constantFrom("a", "g", "n", "l"), v, { maxKeys: 3 })).map(([k, rest]) => ({ ...rest, ...k })),
        IndexName: fc.constantFrom("lsi", "gsi", "nope"),
        UpdateExpression: EXPRESSION,
        ConditionExpression: EXPRESSION,
        KeyConditionExpression: EXPRESSION,
        FilterExpression: EXPRESSION,
        ProjectionExpression: EXPRESSION,
        ExpressionAttributeNames: fc.dictionary(fc.constantFrom("#n", "#m", "#x", "n"), fc.constantFrom("a", "pk", "g", ""), { maxKeys: 3 }),
        ExpressionAttributeValues: fc.dictionary(fc.constantFrom(":v", ":w", ":x", "v"), v, { maxKeys: 3 }),
        ReturnValues: fc.constantFrom("NONE", "ALL_OLD", "UPDATED_NEW", "ALL_NEW", "UPDATED_OLD", "bogus"),
        ReturnItemCollectionMetrics: fc.constantFrom("SIZE", "NONE"),
        Limit: fc.integer({ min: -1, max: 5 }),
        ExclusiveStartKey: key,
      },
      { requiredKeys: ["TableName"] },
    )
    .map((o) => JSON.stringify(o));
}

function body(names: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.dictionary(fc.constantFrom(...names), values(names), { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
}

/** SQS: a real receive may long-poll; these bodies never ask for more than 0 s. */
function noLongPoll(text: string): string {
  return text.replace(/"WaitTimeSeconds":\s*[^,}\]]+/g, '"WaitTimeSeconds":0');
}

/** `text` with one more member when it is a JSON object, else unchanged. */
function withMember(text: string, name: string, value: unknown): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? JSON.stringify({ ...parsed, [name]: value }) : text;
}

async function send(ctx: E2EContext, service: string, init: { method: string; path: string; query?: Record<string, string>; headers: Record<string, string>; body?: string | Uint8Array }) {
  const signed = await signForReplay({ service, region: ctx.gateway.region, credentials: ctx.gateway.credentials, endpoint: ctx.gateway.endpoint, ...init });
  const res = await sendSigned(ctx.gateway.endpoint, signed, AbortSignal.timeout(15_000));
  return { status: res.status, headers: res.headers, text: await res.text(), method: init.method };
}

function expectJsonClientAnswer(r: { status: number; text: string }, what: string): void {
  expect(r.status, `${what} -> ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
  if (r.status >= 400) expect((JSON.parse(r.text) as { __type?: string }).__type, r.text).toMatch(/#?\w+/);
}

describeBothBackends("fuzzed requests", (ctx) => {
  it("DynamoDB: random bodies for every operation get 2xx or a 4xx with __type", async () => {
    await ctx().dynamodb.send(
      new CreateTableCommand({
        TableName: "fuzz",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }, { AttributeName: "g", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
        LocalSecondaryIndexes: [{ IndexName: "lsi", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "g", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
        GlobalSecondaryIndexes: [{ IndexName: "gsi", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...DDB_OPS), fc.oneof(body(DDB_PARAMS), itemRequest()), async (op, text) => {
        const r = await send(ctx(), "dynamodb", { method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${op}` }, body: text });
        expectJsonClientAnswer(r, `${op} ${text}`);
        expect(r.headers.get("x-amz-crc32")).toMatch(/^\d+$/);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("SQS JSON: random bodies for every action get 2xx or a 4xx with __type", async () => {
    const { QueueUrl } = await ctx().sqs.send(new CreateQueueCommand({ QueueName: "fuzzq" }));
    const names = [...SQS_PARAMS];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SQS_OPS), body(names), fc.boolean(), async (op, raw, withQueue) => {
        let text = noLongPoll(raw);
        // Half the time aim at the real queue, so validation past the lookup runs too.
        if (withQueue) text = withMember(text, "QueueUrl", QueueUrl);
        const r = await send(ctx(), "sqs", { method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${op}` }, body: text });
        expectJsonClientAnswer(r, `${op} ${text}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("SQS Query: random form parameters get 2xx or a 4xx ErrorResponse", async () => {
    const { QueueUrl } = await ctx().sqs.send(new CreateQueueCommand({ QueueName: "fuzzq2" }));
    const key = fc.oneof(
      fc.constantFrom(...SQS_PARAMS),
      fc.tuple(fc.constantFrom("Entries", "MessageAttribute", "Attribute", "AttributeName", "Tag", "SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry"), fc.integer({ min: -1, max: 11 }), fc.constantFrom("Id", "Name", "Value", "MessageBody", "Value.StringValue", "Value.DataType", "ReceiptHandle", "Key", "")).map(([a, n, b]) => (b ? `${a}.${n}.${b}` : `${a}.${n}`)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SQS_OPS), fc.dictionary(key, fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String), fc.constantFrom("0", "String", "Number", "All")), { maxKeys: 6 }), fc.boolean(), async (op, params, withQueue) => {
        const form = new URLSearchParams({ ...params, Action: op, Version: "2012-11-05", ...(withQueue ? { QueueUrl: QueueUrl! } : {}) });
        if (form.has("WaitTimeSeconds")) form.set("WaitTimeSeconds", "0");
        const r = await send(ctx(), "sqs", { method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
        expect(r.status, `${form} -> ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
        if (r.status >= 400) expect(r.text).toMatch(/<ErrorResponse[^>]*>.*<Code>\w[^<]*<\/Code>/s);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("the edge: garbled or partial signatures get a 4xx, never a 5xx", async () => {
    const { endpoint } = ctx().gateway;
    const good = await signForReplay({ service: "dynamodb", region: ctx().gateway.region, credentials: ctx().gateway.credentials, endpoint, method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables" }, body: "{}" });
    const authParts = fc.array(
      fc.oneof(
        fc.constantFrom("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", "AWS", "Credential=test/20200101/us-east-1/dynamodb/aws4_request", "Credential=test", "Credential=/////", "SignedHeaders=host", "SignedHeaders=", "SignedHeaders=Host;X", "Signature=", "Signature=00", ",", ", ", "=", " ", "test:abc"),
        fc.stringMatching(/^[ -~]{0,12}$/),
      ),
      { maxLength: 6 },
    );
    const header = fc.record(
      {
        authorization: authParts.map((p) => p.join("")),
        "x-amz-date": fc.oneof(fc.constant(good.headers["x-amz-date"]!), fc.stringMatching(/^[0-9TZ]{0,18}$/)),
        "x-amz-content-sha256": fc.oneof(fc.constantFrom("UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"), fc.stringMatching(/^[0-9a-f]{0,64}$/)),
        "x-amz-target": fc.constantFrom("DynamoDB_20120810.ListTables", "AmazonSQS.ListQueues", "Bogus.Op"),
        "x-amz-decoded-content-length": fc.constantFrom("2", "-1", "x", "99999999999"),
        "content-encoding": fc.constantFrom("aws-chunked", "gzip", ""),
      },
      { requiredKeys: ["authorization"] },
    );
    const target = fc.constantFrom("/", "/fuzzq", "/?Action=ListQueues", "/bucket/key?X-Amz-Signature=00&X-Amz-Algorithm=AWS4-HMAC-SHA256", "/bucket/key?AWSAccessKeyId=test&Signature=x&Expires=1", "/healthz?X-Amz-Credential=a");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET", "POST", "PUT"), target, header, fc.constantFrom("", "{}", "0\r\n\r\n", "zz;chunk-signature=00\r\n"), async (method, path, headers, b) => {
        const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ""));
        const res = await fetch(endpoint + path, { method, headers: sent, body: method === "GET" ? undefined : b, signal: AbortSignal.timeout(15_000) });
        const text = await res.text();
        // Without an Authorization header or X-Amz-Signature, /healthz is the health check.
        if (path.startsWith("/healthz") && sent.authorization === undefined) return;
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)} -> ${res.status} ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)} -> ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("S3: random methods, subresources, headers and bodies get 2xx/3xx or a 4xx XML Error", async () => {
    await ctx().s3.send(new CreateBucketCommand({ Bucket: "fuzzb" }));
    await ctx().s3.send(new PutObjectCommand({ Bucket: "fuzzb", Key: "k", Body: "hello world" }));
    const query = fc.dictionary(
      fc.constantFrom("uploads", "uploadId", "partNumber", "list-type", "max-keys", "prefix", "delimiter", "continuation-token", "start-after", "marker", "delete", "tagging", "acl", "versioning", "location", "policy", "cors", "lifecycle", "versionId", "encoding-type", "max-parts", "part-number-marker", "response-content-type", "x-id", "attributes", "fetch-owner"),
      fc.oneof(fc.constant(""), fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 20_000 }).map(String)),
      { maxKeys: 3 },
    );
    const headers = fc.dictionary(
      fc.constantFrom("range", "if-match", "if-none-match", "if-modified-since", "x-amz-copy-source", "x-amz-copy-source-range", "content-md5", "x-amz-checksum-crc32", "x-amz-checksum-sha256", "x-amz-sdk-checksum-algorithm", "x-amz-meta-a", "x-amz-tagging", "x-amz-storage-class", "x-amz-server-side-encryption", "x-amz-acl", "content-type", "x-amz-object-attributes", "x-amz-metadata-directive"),
      fc.oneof(fc.constantFrom("bytes=0-3", "bytes=-2", "bytes=9-1", "*", "\"abc\"", "fuzzb/k", "/fuzzb/k", "AES256", "aws:kms", "CRC32", "GLACIER", "ETag", "COPY", "REPLACE", "public-read", "Wed, 21 Oct 2015 07:28:00 GMT", "a=b&c"), fc.stringMatching(/^[!-~]{0,16}$/)),
      { maxKeys: 3 },
    );
    const bodies = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 }), fc.constantFrom("<Delete><Object><Key>k</Key></Object></Delete>", "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>", "<Delete>", "<?xml version=\"1.0\"?><X/>"));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET", "PUT", "POST", "DELETE", "HEAD"), fc.constantFrom("/fuzzb", "/fuzzb/k", "/fuzzb/new", "/fuzzb/a/b%20c", "/nobucket/k", "/Bad_Bucket/k", "/"), query, headers, bodies, async (method, path, q, h, b) => {
        const r = await send(ctx(), "s3", { method, path, query: q, headers: h, body: method === "GET" || method === "HEAD" ? undefined : b });
        const what = `${method} ${path} ${JSON.stringify(q)} ${JSON.stringify(h)} ${b ?? ""}`;
        // 501 NotImplemented is the explicit answer for features the gateway does not have.
        if (r.status === 501 && method !== "HEAD") expect(r.text, what).toContain("<Code>NotImplemented</Code>");
        else expect(r.status, `${what} -> ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
        if (r.status >= 400 && method !== "HEAD") expect(r.text, what).toMatch(/<Error>.*<Code>\w+<\/Code>/s);
      }),
      { numRuns: RUNS * 2 },
    );
    expect((await fetch(`${ctx().gateway.endpoint}/healthz`)).status).toBe(200);
  });
});
