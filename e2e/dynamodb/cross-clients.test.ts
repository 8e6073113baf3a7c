// boto3 and the AWS CLI against the same gateway: the Python SDK's resource layer, waiters,
// batch writer and paginators, and the CLI's create/put/query/delete path.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";
import { ROOT } from "../harness/gateway.ts";
import AWS from "aws-sdk";

const run = promisify(execFile);

describeBothBackends("dynamodb cross-client", (ctx) => {
  const env = () => ({
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    DDB_ENDPOINT: ctx().gateway.endpoint,
  });

  it("boto3: resource API, waiter, batch writer, paginator, errors", async () => {
    const table = `boto-${Date.now().toString(36)}`;
    const { stdout } = await run("python3", [join(ROOT, "e2e", "dynamodb", "cross_client.py")], { env: { ...env(), DDB_TABLE: table }, timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(out.query).toEqual([-2, 0, 2]);
    expect(out.scanned).toBe(7);
    expect(out.updated).toBe("zero");
    expect(out.condition).toBe("ConditionalCheckFailedException");
    expect(out.conditionMessage).toBe("The conditional request failed");
    expect(out.transact).toBe("TransactionCanceledException");
    expect(out.reasons).toEqual(["ConditionalCheckFailed"]);
    expect(out.scanTotal).toBe(30);
  });

  it("aws-sdk v2 DocumentClient (which verifies x-amz-crc32 on every response)", async () => {
    const g = ctx().gateway;
    const opts = { endpoint: g.endpoint, region: g.region, credentials: new AWS.Credentials(g.credentials.accessKeyId, g.credentials.secretAccessKey), maxRetries: 0 };
    const low = new AWS.DynamoDB(opts);
    const doc = new AWS.DynamoDB.DocumentClient({ service: low });
    const table = `v2-${Date.now().toString(36)}`;
    await low
      .createTable({ TableName: table, AttributeDefinitions: [{ AttributeName: "id", AttributeType: "N" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" })
      .promise();
    await doc.put({ TableName: table, Item: { id: 1, name: "ünïcødé ✓", list: [1, { a: null }] } }).promise();
    const got = await doc.get({ TableName: table, Key: { id: 1 } }).promise();
    expect(got.Item).toEqual({ id: 1, name: "ünïcødé ✓", list: [1, { a: null }] });
    const err = await doc.put({ TableName: table, Item: { id: 1 }, ConditionExpression: "attribute_not_exists(id)" }).promise().catch((e: { code: string }) => e.code);
    expect(err).toBe("ConditionalCheckFailedException");
  });

  it("AWS CLI: create-table, put-item, query, describe, delete-table", async () => {
    const table = `cli-${Date.now().toString(36)}`;
    const aws = async (...args: string[]) => {
      const { stdout } = await run("aws", ["dynamodb", ...args, "--endpoint-url", ctx().gateway.endpoint, "--output", "json"], { env: env(), timeout: 60_000 });
      return stdout.trim() ? JSON.parse(stdout) : {};
    };
    await aws("create-table", "--table-name", table, "--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
    await aws("wait", "table-exists", "--table-name", table);
    await aws("put-item", "--table-name", table, "--item", JSON.stringify({ pk: { S: "k1" }, v: { N: "1.50" } }));
    const q = await aws("query", "--table-name", table, "--key-condition-expression", "pk = :p", "--expression-attribute-values", JSON.stringify({ ":p": { S: "k1" } }));
    expect(q.Items).toEqual([{ pk: { S: "k1" }, v: { N: "1.5" } }]);
    const d = await aws("describe-table", "--table-name", table);
    expect(d.Table.TableStatus).toBe("ACTIVE");
    expect(d.Table.BillingModeSummary.BillingMode).toBe("PAY_PER_REQUEST");
    await aws("delete-table", "--table-name", table);
    const err = await run("aws", ["dynamodb", "describe-table", "--table-name", table, "--endpoint-url", ctx().gateway.endpoint], { env: env() }).catch((e: { stderr: string }) => e);
    expect((err as { stderr: string }).stderr).toContain("ResourceNotFoundException");
  });
});
