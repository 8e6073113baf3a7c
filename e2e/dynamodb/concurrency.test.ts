// Many clients race conditional updates and transfer transactions over overlapping items.
// Invariants: no lost update (a counter equals the number of acknowledged increments) and
// conservation (balances always sum to the starting total, none negative).

import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, expect, it } from "vitest";
import { clientConfigFor, describeBothBackends } from "../harness/both-backends.ts";
import { startGateway, type GatewayProcess } from "../harness/gateway.ts";

const CLIENTS = 8;
const OPS = 25;
const ACCOUNTS = 5;
const START = 100;

describeBothBackends("dynamodb concurrency", (ctx) => {
  // On etcd, half the clients talk to a second gateway process on the same cluster: the
  // processes share nothing but the store.
  let second: GatewayProcess | undefined;
  afterAll(async () => {
    await second?.stop();
  });
  const clients = async () => {
    const { backend, cluster, clientConfig } = ctx();
    if (backend === "etcd" && !second) second = await startGateway({ backend: "etcd", etcdEndpoints: cluster!.endpoints });
    const other = second ? clientConfigFor(second) : clientConfig;
    return Array.from({ length: CLIENTS }, (_, i) => new DynamoDBClient({ ...(i % 2 ? other : clientConfig), maxAttempts: 10 }));
  };

  it("conditional increments lose no update", async () => {
    const name = `cas-${Date.now().toString(36)}`;
    const ddb = ctx().dynamodb;
    await ddb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "ctr" }, n: { N: "0" } } }));
    let acked = 0;
    let lost = 0;
    const cs = await clients();
    await Promise.all(
      cs.map(async (c) => {
        for (let i = 0; i < OPS; i++) {
          const cur = await c.send(new GetItemCommand({ TableName: name, Key: { pk: { S: "ctr" } }, ConsistentRead: true }));
          try {
            await c.send(
              new UpdateItemCommand({
                TableName: name,
                Key: { pk: { S: "ctr" } },
                UpdateExpression: "SET n = n + :one",
                ConditionExpression: "n = :seen",
                ExpressionAttributeValues: { ":one": { N: "1" }, ":seen": cur.Item!.n! },
              }),
            );
            acked++;
          } catch (e) {
            if (!(e instanceof ConditionalCheckFailedException)) throw e;
            lost++;
          }
        }
      }),
    );
    // Blind atomic increments from everyone as well.
    await Promise.all(cs.map(async (c) => {
      for (let i = 0; i < 10; i++) {
        await c.send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: "ctr" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } }));
        acked++;
      }
    }));
    const final = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: "ctr" } }, ConsistentRead: true }));
    expect(Number(final.Item!.n!.N)).toBe(acked);
    expect(acked + lost).toBe(CLIENTS * OPS + CLIENTS * 10);
    expect(acked).toBeGreaterThan(CLIENTS * 10);
    cs.forEach((c) => c.destroy());
  });

  it("transfer transactions conserve the total", async () => {
    const name = `bank-${Date.now().toString(36)}`;
    const ddb = ctx().dynamodb;
    await ddb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    for (let a = 0; a < ACCOUNTS; a++) await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: `a${a}` }, bal: { N: String(START) } } }));
    const outcomes = { ok: 0, canceled: 0, conflict: 0 };
    const cs = await clients();
    await Promise.all(
      cs.map(async (c, ci) => {
        for (let i = 0; i < OPS; i++) {
          const from = (ci + i) % ACCOUNTS;
          const to = (from + 1 + (i % (ACCOUNTS - 1))) % ACCOUNTS;
          const amount = String(1 + ((ci * 7 + i * 13) % 40));
          try {
            await c.send(
              new TransactWriteItemsCommand({
                TransactItems: [
                  { Update: { TableName: name, Key: { pk: { S: `a${from}` } }, UpdateExpression: "SET bal = bal - :x", ConditionExpression: "bal >= :x", ExpressionAttributeValues: { ":x": { N: amount } } } },
                  { Update: { TableName: name, Key: { pk: { S: `a${to}` } }, UpdateExpression: "SET bal = bal + :x", ExpressionAttributeValues: { ":x": { N: amount } } } },
                ],
              }),
            );
            outcomes.ok++;
          } catch (e) {
            if (e instanceof TransactionCanceledException) outcomes.canceled++;
            else if (e instanceof TransactionConflictException) outcomes.conflict++;
            else throw e;
          }
        }
      }),
    );
    const all = await ddb.send(new ScanCommand({ TableName: name, ConsistentRead: true }));
    const balances = all.Items!.map((i) => Number(i.bal!.N));
    expect(balances.reduce((a, b) => a + b, 0)).toBe(ACCOUNTS * START);
    for (const b of balances) expect(b).toBeGreaterThanOrEqual(0);
    expect(outcomes.ok).toBeGreaterThan(0);
    cs.forEach((c) => c.destroy());
  });
});
