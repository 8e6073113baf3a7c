import { createRequire } from "node:module";
import { openHarness } from "./harness.ts";
const require = createRequire(import.meta.url);
const dynalite = require("dynalite");
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const port = (server.address() as { port: number }).port;
const h = await openHarness();
async function dyn(op: string, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${op}`, authorization: "AWS4-HMAC-SHA256 Credential=a/20150101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=b", "x-amz-date": "20150101T000000Z" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
const table = { TableName: "difft", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }], BillingMode: "PAY_PER_REQUEST" };
await dyn("CreateTable", table); await h.call("CreateTable", table);
const K = { pk: { S: "a" }, sk: { N: "1" } };
const cases: [string, unknown][] = JSON.parse(process.argv[2] ?? "[]");
const builtin: [string, unknown][] = [
  ["PutItem", { TableName: "difft", Item: { pk: { S: "a" } } }],
  ["PutItem", { TableName: "difft", Item: { ...K, x: { SS: [] } } }],
  ["PutItem", { TableName: "difft", Item: { ...K, x: { NS: ["1", "1.0"] } } }],
  ["PutItem", { TableName: "difft", Item: { ...K, x: { BS: ["AA==", "AA=="] } } }],
  ["PutItem", { TableName: "difft", Item: { ...K, x: { N: "1e400" } } }],
  ["PutItem", { TableName: "difft", Item: { ...K, x: { S: "a", N: "1" } } }],
  ["PutItem", { TableName: "difft", Item: { ...K, x: { NULL: false } } }],
  ["PutItem", { TableName: "difft", Item: { ...K }, ReturnValues: "ALL_NEW" }],
  ["PutItem", { TableName: "difft", Item: { ...K }, ConditionExpression: "a = b" }],
  ["PutItem", { TableName: "difft", Item: { ...K }, ConditionExpression: "a = :a AND" , ExpressionAttributeValues: {":a": {S: "x"}} }],
  ["PutItem", { TableName: "difft", Item: { ...K }, ConditionExpression: "#a = :a", ExpressionAttributeValues: {":a": {S: "x"}} }],
  ["PutItem", { TableName: "difft", Item: { ...K }, ConditionExpression: "a IN (:a)", ExpressionAttributeNames: {"#x": "y"}, ExpressionAttributeValues: {":a": {S: "x"}} }],
  ["PutItem", { TableName: "difft", Item: { ...K }, Expected: { a: { ComparisonOperator: "EQ" } } }],
  ["PutItem", { TableName: "difft", Item: { ...K }, Expected: { a: { Exists: true } } }],
  ["PutItem", { TableName: "difft", Item: { ...K }, Expected: { a: { ComparisonOperator: "BETWEEN", AttributeValueList: [{N: "5"}, {N: "1"}] } } }],
  ["GetItem", { TableName: "difft", Key: { pk: { S: "a" }, sk: { S: "1" } } }],
  ["GetItem", { TableName: "difft", Key: K, AttributesToGet: ["a", "a"] }],
  ["GetItem", { TableName: "difft", Key: K, ProjectionExpression: "a, a.b" }],
  ["GetItem", { TableName: "difft", Key: K, ProjectionExpression: "a[0], a.b" }],
  ["GetItem", { TableName: "difft", Key: K, ExpressionAttributeNames: { "#a": "a" } }],
  ["UpdateItem", { TableName: "difft", Key: K, UpdateExpression: "SET a = :v, a = :v", ExpressionAttributeValues: { ":v": { S: "x" } } }],
  ["UpdateItem", { TableName: "difft", Key: K, UpdateExpression: "REMOVE a ADD b :v", ExpressionAttributeValues: { ":v": { L: [] } } }],
  ["UpdateItem", { TableName: "difft", Key: K, UpdateExpression: "SET a = list_append(:v, :w)", ExpressionAttributeValues: { ":v": { L: [] }, ":w": { S: "x" } } }],
  ["UpdateItem", { TableName: "difft", Key: K, UpdateExpression: "DELETE a :v", ExpressionAttributeValues: { ":v": { N: "1" } } }],
  ["UpdateItem", { TableName: "difft", Key: K, UpdateExpression: "SET a = if_not_exists(:v, b)", ExpressionAttributeValues: { ":v": { N: "1" } } }],
  ["UpdateItem", { TableName: "difft", Key: K, AttributeUpdates: { a: { Action: "ADD", Value: { S: "x" } } } }],
  ["UpdateItem", { TableName: "difft", Key: K, AttributeUpdates: { a: { Action: "PUT" } } }],
  ["Query", { TableName: "difft" }],
  ["Query", { TableName: "difft", KeyConditionExpression: "sk = :v", ExpressionAttributeValues: { ":v": { N: "1" } } }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v OR sk = :w", ExpressionAttributeValues: { ":v": { S: "1" }, ":w": { N: "1" } } }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v AND pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } } }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v AND a = :v", ExpressionAttributeValues: { ":v": { S: "1" } } }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v", ExpressionAttributeValues: { ":v": { N: "1" } } }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk < :v", ExpressionAttributeValues: { ":v": { S: "1" } } }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v", FilterExpression: "pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } } }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } }, IndexName: "nope" }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } }, Select: "SPECIFIC_ATTRIBUTES" }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } }, Select: "ALL_PROJECTED_ATTRIBUTES" }],
  ["Query", { TableName: "difft", KeyConditionExpression: "pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } }, ExclusiveStartKey: { pk: { S: "1" } } }],
  ["Scan", { TableName: "difft", Segment: 1 }],
  ["Scan", { TableName: "difft", Segment: 3, TotalSegments: 2 }],
  ["Scan", { TableName: "difft", ExclusiveStartKey: { pk: { S: "a" } } }],
  ["BatchGetItem", { RequestItems: { difft: { Keys: [K, K] } } }],
  ["BatchWriteItem", { RequestItems: { difft: [{ PutRequest: { Item: K } }, { DeleteRequest: { Key: K } }] } }],
  ["BatchWriteItem", { RequestItems: { difft: [{}] } }],
  ["CreateTable", { TableName: "x12", AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }], KeySchema: [{ AttributeName: "b", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }],
  ["CreateTable", { TableName: "x12", AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }, { AttributeName: "b", AttributeType: "S" }], KeySchema: [{ AttributeName: "a", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }],
  ["CreateTable", { TableName: "x12", AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }], KeySchema: [{ AttributeName: "a", KeyType: "HASH" }] }],
  ["CreateTable", { TableName: "x12", AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }], KeySchema: [{ AttributeName: "a", KeyType: "RANGE" }], BillingMode: "PAY_PER_REQUEST" }],
  ["DescribeTable", { TableName: "nothere" }],
  ["DeleteTable", { TableName: "nothere" }],
  ["UpdateTable", { TableName: "difft" }],
  ["ListTables", { Limit: 101 }],
  ["DescribeTable", { TableName: "ab" }],
];
for (const [op, body] of [...builtin, ...cases]) {
  const a = await dyn(op, body);
  const b = await h.call(op, body);
  const fmt = (x: { status: number; body: Record<string, unknown> }) => `${x.status} ${String(x.body.__type ?? "").split("#")[1] ?? ""}: ${x.body.message ?? x.body.Message ?? ""}`;
  const fa = fmt(a as never); const fb = fmt(b);
  if (fa !== fb) console.log(`DIFF ${op} ${JSON.stringify(body).slice(0, 150)}\n  dynalite: ${fa}\n  ours:     ${fb}`);
}
await h.close(); server.close();
