// Cross-checks with the AWS CLI (v1) and boto3: both speak AWS JSON 1.0 with the
// query-compatible error header, and both verify MD5s of bodies and attributes.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";

const run = promisify(execFile);

describeBothBackends("sqs aws cli and boto3", (ctx) => {
  const env = () => ({
    ...process.env,
    AWS_ACCESS_KEY_ID: ctx().clientConfig.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ctx().clientConfig.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: ctx().clientConfig.region,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  });
  const cli = async (...args: string[]) => {
    const { stdout } = await run("aws", ["--endpoint-url", ctx().gateway.endpoint, "--output", "json", "sqs", ...args], { env: env(), timeout: 60_000 });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };

  it("aws cli: create, send with attributes, receive, delete, and a typed error", async () => {
    const { QueueUrl } = await cli("create-queue", "--queue-name", "cli-q", "--attributes", "VisibilityTimeout=20");
    expect(QueueUrl).toBe(`${ctx().gateway.endpoint}/000000000000/cli-q`);
    const sent = await cli("send-message", "--queue-url", QueueUrl, "--message-body", "from cli", "--message-attributes", JSON.stringify({ k: { DataType: "String", StringValue: "v" } }));
    expect(sent.MD5OfMessageBody).toMatch(/^[0-9a-f]{32}$/);
    const got = await cli("receive-message", "--queue-url", QueueUrl, "--message-attribute-names", "All", "--attribute-names", "All");
    expect(got.Messages[0].Body).toBe("from cli");
    expect(got.Messages[0].MessageAttributes.k.StringValue).toBe("v");
    await cli("delete-message", "--queue-url", QueueUrl, "--receipt-handle", got.Messages[0].ReceiptHandle);
    const attrs = await cli("get-queue-attributes", "--queue-url", QueueUrl, "--attribute-names", "All");
    expect(attrs.Attributes.ApproximateNumberOfMessagesNotVisible).toBe("0");
    const err = await cli("get-queue-url", "--queue-name", "no-such-queue").catch((e: { stderr: string }) => e.stderr);
    expect(String(err)).toContain("AWS.SimpleQueueService.NonExistentQueue");
  });

  it("boto3: FIFO send and receive, batch delete, and the typed QueueDoesNotExist exception", async () => {
    const script = `
import boto3, json, sys
c = boto3.client("sqs", endpoint_url=sys.argv[1])
url = c.create_queue(QueueName="boto.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
for i in range(3):
    c.send_message(QueueUrl=url, MessageBody=f"b{i}", MessageGroupId="g",
                   MessageAttributes={"n": {"DataType": "Number", "StringValue": str(i)}})
msgs = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
c.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
try:
    c.get_queue_url(QueueName="missing-q")
    typed = False
except c.exceptions.QueueDoesNotExist:
    typed = True
print(json.dumps({"bodies": [m["Body"] for m in msgs], "typed": typed}))
`;
    const { stdout } = await run("python3", ["-c", script, ctx().gateway.endpoint], { env: env(), timeout: 60_000 });
    const out = JSON.parse(stdout.trim());
    expect(out.bodies).toEqual(["b0", "b1", "b2"]);
    expect(out.typed).toBe(true);
  });

  it("boto3 sees what LocalStack's snapshot recorded against SQS: QueryErrorCode from __type, empty Messages", async () => {
    const script = `
import boto3, json, sys
from botocore.exceptions import ClientError
c = boto3.client("sqs", endpoint_url=sys.argv[1])
url = c.create_queue(QueueName="boto-parity.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"})["QueueUrl"]
def error(call, **kw):
    try:
        call(QueueUrl=url, **kw)
    except ClientError as e:
        err = e.response["Error"]
        return [err["Code"], err.get("QueryErrorCode"), err["Message"]]
out = {
    "missing": error(c.send_message, MessageBody="x", MessageDeduplicationId="d"),
    "batch": error(c.send_message_batch, Entries=[
        {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
        {"Id": "b", "MessageBody": "x", "MessageDeduplicationId": "d2"}]),
    "empty": c.receive_message(QueueUrl=url).get("Messages"),
}
print(json.dumps(out))
`;
    const { stdout } = await run("python3", ["-c", script, ctx().gateway.endpoint], { env: env(), timeout: 60_000 });
    const out = JSON.parse(stdout.trim());
    expect(out.missing).toEqual(["MissingParameter", "MissingRequiredParameterException", "The request must contain the parameter MessageGroupId."]);
    expect(out.batch).toEqual(["InvalidParameterValue", "InvalidParameterValueException", "The request must contain the parameter MessageGroupId."]);
    expect(out.empty).toEqual([]);
  });
});
